package org.relaypack.it.smarthost;

import java.util.Collection;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.relaypack.delivery.DeliveryEngine;

import com.google.common.collect.ImmutableList;

/** A matcher that only records the engine James gives it, and matches nothing. */
public class EngineProbeMatcher extends GenericMatcher {
    @Inject
    public EngineProbeMatcher(DeliveryEngine engine) {
        EngineProbe.SEEN.put("matcher", engine);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return ImmutableList.of();
    }
}
