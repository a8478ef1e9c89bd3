package org.relaypack.tls.dane;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/** One validated DNS answer: what was found, how secure it is, and why it failed when it did. */
public final class DnsAnswer<T> {
    public enum Status {
        /** Records of the type asked. */
        FOUND,
        /** The name exists, without records of that type (NODATA). */
        NO_RECORDS,
        /** The name does not exist. */
        NXDOMAIN,
        /** No usable answer: SERVFAIL, a timeout, or a bogus answer (see {@link #security()}). */
        FAILED
    }

    public static <T> DnsAnswer<T> found(List<T> records, DnsSecurity security) {
        return new DnsAnswer<>(Status.FOUND, security, ImmutableList.copyOf(records), Optional.empty());
    }

    public static <T> DnsAnswer<T> noRecords(DnsSecurity security) {
        return new DnsAnswer<>(Status.NO_RECORDS, security, ImmutableList.of(), Optional.empty());
    }

    public static <T> DnsAnswer<T> nxdomain(DnsSecurity security) {
        return new DnsAnswer<>(Status.NXDOMAIN, security, ImmutableList.of(), Optional.empty());
    }

    /** The lookup failed (SERVFAIL, timeout): the security state is unknown, taken as insecure. */
    public static <T> DnsAnswer<T> failed(String reason) {
        return new DnsAnswer<>(Status.FAILED, DnsSecurity.INSECURE, ImmutableList.of(), Optional.of(reason));
    }

    /** DNSSEC validation failed. */
    public static <T> DnsAnswer<T> bogus(String reason) {
        return new DnsAnswer<>(Status.FAILED, DnsSecurity.BOGUS, ImmutableList.of(), Optional.of(reason));
    }

    /**
     * Two answers for one name (A and AAAA): bogus if either is; the records of both; secure when
     * every answer that came back is; failed only when neither gave records and one failed.
     */
    public static <T> DnsAnswer<T> combine(DnsAnswer<T> first, DnsAnswer<T> second) {
        if (first.isBogus()) {
            return first;
        }
        if (second.isBogus()) {
            return second;
        }
        ImmutableList<T> records = ImmutableList.<T>builder().addAll(first.records).addAll(second.records).build();
        boolean answered = first.status != Status.FAILED || second.status != Status.FAILED;
        boolean secure = answered && (first.status == Status.FAILED || first.isSecure()) && (second.status == Status.FAILED || second.isSecure());
        DnsSecurity security = secure ? DnsSecurity.SECURE : DnsSecurity.INSECURE;
        if (!records.isEmpty()) {
            return found(records, security);
        }
        if (first.status == Status.FAILED) {
            return first;
        }
        if (second.status == Status.FAILED) {
            return second;
        }
        if (first.status == Status.NXDOMAIN && second.status == Status.NXDOMAIN) {
            return nxdomain(security);
        }
        return noRecords(security);
    }

    private final Status status;
    private final DnsSecurity security;
    private final ImmutableList<T> records;
    private final Optional<String> failure;

    private DnsAnswer(Status status, DnsSecurity security, ImmutableList<T> records, Optional<String> failure) {
        this.status = Objects.requireNonNull(status);
        this.security = Objects.requireNonNull(security);
        this.records = Objects.requireNonNull(records);
        this.failure = Objects.requireNonNull(failure);
    }

    public Status status() {
        return status;
    }

    public DnsSecurity security() {
        return security;
    }

    public boolean isSecure() {
        return security == DnsSecurity.SECURE;
    }

    public boolean isBogus() {
        return security == DnsSecurity.BOGUS;
    }

    public ImmutableList<T> records() {
        return records;
    }

    /** The same answer with its records transformed (sorted, filtered). */
    public <U> DnsAnswer<U> map(Function<ImmutableList<T>, ImmutableList<U>> transform) {
        return new DnsAnswer<>(status, security, transform.apply(records), failure);
    }

    /** Why the lookup failed, for {@link Status#FAILED}. */
    public Optional<String> failure() {
        return failure;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof DnsAnswer) {
            DnsAnswer<?> that = (DnsAnswer<?>) o;
            return status == that.status && security == that.security && records.equals(that.records) && failure.equals(that.failure);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, security, records, failure);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).omitNullValues()
            .add("status", status).add("security", security).add("records", records).add("failure", failure.orElse(null)).toString();
    }
}
