package org.relaypack.delivery;

import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.DsnParameters.Notify;
import org.apache.mailet.DsnParameters.RecipientDsnParameters;
import org.apache.mailet.Mail;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ListMultimap;
import com.google.common.collect.MultimapBuilder;

/**
 * The recipients a route rewrote ({@code mailRoutingAddress}, an RRT address mapping), kept on the
 * hop's copy of the mail so that the next hop and the sender each see the address they know
 * (RFC 3461 4.2): the next hop gets the rewritten address with the original recipient's NOTIFY and
 * ORCPT (the ORCPT the sender gave, else the original address); a failure is reported to the sender
 * for the original recipient, with the DSN parameters it arrived with.
 *
 * On the copy, the DSN parameters are keyed by the rewritten address, and the originals' own
 * parameters stay keyed by the original address; {@link DeliveryAttributes#ORIGINAL_RECIPIENTS}
 * maps each rewritten address to the recipients it stands for.
 */
final class RewrittenRecipients {
    private RewrittenRecipients() {
    }

    /**
     * Marks the share's copy of a mail with its rewrites and re-keys its DSN parameters.
     *
     * @param rewrites original recipient to the address to give the next hop, only where they differ
     * @param originals the mail's recipients this copy stands for
     */
    static void applyTo(Mail copy, Map<MailAddress, MailAddress> rewrites, Collection<MailAddress> originals) {
        if (rewrites.isEmpty()) {
            return;
        }
        ListMultimap<MailAddress, MailAddress> byRewritten = MultimapBuilder.linkedHashKeys().arrayListValues().build();
        for (MailAddress original : originals) {
            MailAddress rewritten = rewrites.get(original);
            if (rewritten == null) {
                continue;
            }
            if (originals.contains(rewritten) && !byRewritten.containsKey(rewritten)) {
                // the rewritten address is also a recipient in its own right: it stands for itself too
                byRewritten.put(rewritten, rewritten);
            }
            byRewritten.put(rewritten, original);
        }
        Optional<DsnParameters> dsn = copy.dsnParameters();
        Map<MailAddress, RecipientDsnParameters> parameters = new LinkedHashMap<>(
            dsn.map(DsnParameters::getRcptParameters).orElse(ImmutableMap.of()));
        Map<String, AttributeValue<?>> attribute = new LinkedHashMap<>();
        for (MailAddress rewritten : byRewritten.keySet()) {
            List<MailAddress> standsFor = byRewritten.get(rewritten);
            attribute.put(rewritten.asString(), AttributeValue.of(standsFor.stream()
                .<AttributeValue<?>>map(address -> AttributeValue.of(address.asString()))
                .collect(ImmutableList.toImmutableList())));
            if (!standsFor.get(0).equals(rewritten)) {
                parameters.put(rewritten, forwarded(dsn, standsFor));
            }
        }
        copy.setAttribute(new Attribute(DeliveryAttributes.ORIGINAL_RECIPIENTS, AttributeValue.of(attribute)));
        DsnParameters.of(dsn.flatMap(DsnParameters::getEnvIdParameter), dsn.flatMap(DsnParameters::getRetParameter),
            ImmutableMap.copyOf(parameters)).ifPresent(copy::setDsnParameters);
    }

    /**
     * The parameters of the forwarded RCPT: ORCPT of the (first) original, as the sender gave it or
     * else its address; NOTIFY of the original, or for several originals the union of what they asked.
     */
    private static RecipientDsnParameters forwarded(Optional<DsnParameters> dsn, List<MailAddress> originals) {
        MailAddress first = originals.get(0);
        Optional<RecipientDsnParameters> firstParameters = parametersOf(dsn, first);
        MailAddress orcpt = firstParameters.flatMap(RecipientDsnParameters::getOrcptParameter).orElse(first);
        return RecipientDsnParameters.of(notify(dsn, originals), Optional.of(orcpt)).orElseThrow();
    }

    /** Absent when any original left NOTIFY to the MTA; NEVER only when all asked for it. */
    private static Optional<EnumSet<Notify>> notify(Optional<DsnParameters> dsn, List<MailAddress> originals) {
        EnumSet<Notify> union = EnumSet.noneOf(Notify.class);
        for (MailAddress original : originals) {
            Optional<EnumSet<Notify>> notify = parametersOf(dsn, original).flatMap(RecipientDsnParameters::getNotifyParameter);
            if (notify.isEmpty()) {
                return Optional.empty();
            }
            union.addAll(notify.get());
        }
        if (union.size() > 1) {
            union.remove(Notify.NEVER);
        }
        return Optional.of(union);
    }

    private static Optional<RecipientDsnParameters> parametersOf(Optional<DsnParameters> dsn, MailAddress recipient) {
        return dsn.map(DsnParameters::getRcptParameters).map(parameters -> parameters.get(recipient));
    }

    /** Rewritten address to the original recipients it stands for; empty for a mail nothing rewrote. */
    static ImmutableListMultimap<MailAddress, MailAddress> of(Mail mail) {
        ImmutableListMultimap.Builder<MailAddress, MailAddress> result = ImmutableListMultimap.builder();
        mail.getAttribute(DeliveryAttributes.ORIGINAL_RECIPIENTS)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(Map.class::isInstance)
            .map(value -> (Map<?, ?>) value)
            .ifPresent(map -> map.forEach((rewritten, originals) -> {
                if (originals instanceof AttributeValue && ((AttributeValue<?>) originals).value() instanceof Collection) {
                    for (Object original : (Collection<?>) ((AttributeValue<?>) originals).value()) {
                        result.put(address(rewritten.toString()), address(((AttributeValue<?>) original).value().toString()));
                    }
                }
            }));
        return result.build();
    }

    /** The failures as the sender addressed them: each rewritten recipient becomes the original(s) it stands for. */
    static ImmutableList<RecipientOutcome> toOriginals(ImmutableListMultimap<MailAddress, MailAddress> rewrites, List<RecipientOutcome> failures) {
        ImmutableList.Builder<RecipientOutcome> result = ImmutableList.builder();
        for (RecipientOutcome failure : failures) {
            List<MailAddress> originals = rewrites.get(failure.recipient());
            if (originals.isEmpty()) {
                result.add(failure);
            } else {
                originals.forEach(original -> result.add(failure.forRecipient(original)));
            }
        }
        return result.build();
    }

    /** Makes a copy for the originals as the mail arrived: no rewrite marks, the originals' own DSN parameters. */
    static void restoreOriginals(Mail copy, ImmutableListMultimap<MailAddress, MailAddress> rewrites) {
        if (rewrites.isEmpty()) {
            return;
        }
        copy.removeAttribute(DeliveryAttributes.ORIGINAL_RECIPIENTS);
        copy.dsnParameters().ifPresent(dsn -> {
            ImmutableMap<MailAddress, RecipientDsnParameters> own = dsn.getRcptParameters().entrySet().stream()
                .filter(entry -> copy.getRecipients().contains(entry.getKey()))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
            copy.setDsnParameters(dsn.withRcptParameters(own));
        });
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (AddressException e) {
            throw new IllegalStateException("attribute " + DeliveryAttributes.ORIGINAL_RECIPIENTS.asString() + " holds a bad address: " + address, e);
        }
    }
}
