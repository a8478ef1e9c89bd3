package org.relaypack.delivery.smtp;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/** The ESMTP extensions a server announced in its EHLO reply (none after HELO). */
public final class Capabilities {
    static final Capabilities NONE = new Capabilities(ImmutableMap.of());

    static Capabilities fromEhlo(ServerReply reply) {
        ImmutableMap.Builder<String, ImmutableList<String>> keywords = ImmutableMap.builder();
        reply.lines().stream()
            .skip(1)
            .map(line -> Splitter.onPattern("[ =]").omitEmptyStrings().trimResults().splitToList(line))
            .filter(words -> !words.isEmpty())
            .forEach(words -> keywords.put(words.get(0).toUpperCase(Locale.US),
                words.subList(1, words.size()).stream().map(word -> word.toUpperCase(Locale.US)).collect(ImmutableList.toImmutableList())));
        return new Capabilities(keywords.buildKeepingLast());
    }

    private final ImmutableMap<String, ImmutableList<String>> keywords;

    private Capabilities(ImmutableMap<String, ImmutableList<String>> keywords) {
        this.keywords = keywords;
    }

    public boolean has(String keyword) {
        return keywords.containsKey(keyword);
    }

    public boolean startTls() {
        return has("STARTTLS");
    }

    public boolean pipelining() {
        return has("PIPELINING");
    }

    public boolean dsn() {
        return has("DSN");
    }

    public boolean size() {
        return has("SIZE");
    }

    /** The first of the given SASL mechanisms that the server offers, in the given order of preference. */
    public Optional<String> authMechanism(String... preferred) {
        ImmutableList<String> offered = keywords.getOrDefault("AUTH", ImmutableList.of());
        return Arrays.stream(preferred).filter(offered::contains).findFirst();
    }

    public boolean auth() {
        return has("AUTH");
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).addValue(keywords).toString();
    }
}
