package org.relaypack.it.submission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import com.google.common.collect.ImmutableMap;

/**
 * Test mailet: remembers the relaypack.tls.* attributes of each mail it sees, by Subject, so a test
 * can check what a mailet placed after the SMTP hooks gets.
 */
public class RecordTlsFacts extends GenericMailet {
    static final Map<String, Map<String, Object>> SEEN = new ConcurrentHashMap<>();

    @Override
    public void service(Mail mail) throws MessagingException {
        ImmutableMap<String, Object> facts = mail.attributes()
            .filter(attribute -> attribute.getName().asString().startsWith("relaypack.tls."))
            .collect(ImmutableMap.toImmutableMap(attribute -> attribute.getName().asString(),
                attribute -> attribute.getValue().value()));
        SEEN.put(String.valueOf(mail.getMessage().getSubject()), facts);
    }
}
