package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;

class MailCopiesTest {
    private static final MailAddress SENDER = address("a@lan.example");
    private static final MailAddress KEPT = address("kept@remote.example");
    private static final MailAddress OTHER = address("other@remote.example");

    /** A mail as the mailet pipeline has it: its message is James's MimeMessageWrapper. */
    private static MailImpl pipelineMail() throws Exception {
        return MailImpl.builder()
            .name("mail1")
            .sender(SENDER)
            .addRecipients(KEPT, OTHER)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("copies").setText("body\r\n.dot\r\n"))
            .build();
    }

    private static String text(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class ForQueue {
        @Test
        void copyShouldCarryOnlyItsRecipientsUnderItsName() throws Exception {
            MailImpl mail = pipelineMail();

            try (MailCopies.QueueCopy testee = MailCopies.forQueue(mail, "mail1-sink-1", List.of(KEPT))) {
                assertThat(testee.mail().getName()).isEqualTo("mail1-sink-1");
                assertThat(testee.mail().getRecipients()).containsExactly(KEPT);
                assertThat(testee.mail().getMaybeSender().asOptional()).contains(SENDER);
            }
            assertThat(mail.getRecipients()).containsExactly(KEPT, OTHER);
            mail.dispose();
        }

        @Test
        void closingTheCopyShouldLeaveTheMailsMessageUsable() throws Exception {
            MailImpl mail = pipelineMail();
            String before = text(mail.getMessage());

            MailCopies.QueueCopy testee = MailCopies.forQueue(mail, "mail1-sink-1", List.of(KEPT));
            testee.close();

            assertThat(text(mail.getMessage())).isEqualTo(before);
            mail.dispose();
        }

        @Test
        void memoryQueueShouldKeepTheMessageAfterTheCopyAndTheMailAreDisposed() throws Exception {
            MemoryMailQueueFactory factory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
            MailQueue queue = factory.createQueue(MailQueueName.of("copies"));
            MailImpl mail = pipelineMail();
            String expected = text(mail.getMessage());

            try (MailCopies.QueueCopy testee = MailCopies.forQueue(mail, "mail1-sink-1", List.of(KEPT))) {
                queue.enQueue(testee.mail());
            }
            mail.dispose();

            MailQueue.MailQueueItem item = Flux.from(queue.deQueue()).blockFirst();
            Mail queued = item.getMail();
            assertThat(queued.getName()).isEqualTo("mail1-sink-1");
            assertThat(queued.getRecipients()).containsExactly(KEPT);
            assertThat(text(queued.getMessage())).isEqualTo(expected);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(queued);
        }

        @Test
        void copyOfAMailWithAPlainMimeMessageShouldOwnItsMessage() throws Exception {
            Mail mail = org.apache.mailet.base.test.FakeMail.builder()
                .name("mail1")
                .sender(SENDER)
                .recipients(KEPT, OTHER)
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("plain").setText("body"))
                .build();
            String expected = text(mail.getMessage());

            try (MailCopies.QueueCopy testee = MailCopies.forQueue(mail, "mail1-sink-1", List.of(KEPT))) {
                assertThat(testee.mail().getMessage()).isNotSameAs(mail.getMessage());
                assertThat(text(testee.mail().getMessage())).isEqualTo(expected);
            }
            assertThat(text(mail.getMessage())).isEqualTo(expected);
            LifecycleUtil.dispose(mail);
        }
    }
}
