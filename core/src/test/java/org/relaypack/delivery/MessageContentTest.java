package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.relaypack.delivery.smtp.MessageContent;

class MessageContentTest {
    private static MessageContent testee(String message) {
        return MessageContent.of(message.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void sizeShouldCountTheNormalisedMessageWithoutTheTerminator() {
        assertThat(testee("a\nb").size()).isEqualTo("a\r\nb\r\n".length());
    }

    @Test
    void sizeShouldCountDotStuffing() {
        assertThat(testee(".a\r\n").size()).isEqualTo("..a\r\n".length());
    }

    @Test
    void sizeOfAnEmptyMessageShouldBeZero() {
        assertThat(testee("").size()).isZero();
    }
}
