package org.relaypack.tls.dane;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;

import com.google.common.io.BaseEncoding;

/**
 * One TLSA record (RFC 6698 2.1): certificate usage, selector, matching type, association data.
 * Usable for SMTP (RFC 7672 3.1): DANE-TA(2) and DANE-EE(3); selector Cert(0) or SPKI(1);
 * matching Full(0), SHA2-256(1), SHA2-512(2) with a digest of the right length. PKIX-TA(0) and
 * PKIX-EE(1) are not usable for SMTP.
 */
public final class TlsaAssociation {
    public static final int USAGE_DANE_TA = 2;
    public static final int USAGE_DANE_EE = 3;
    public static final int SELECTOR_CERT = 0;
    public static final int SELECTOR_SPKI = 1;
    public static final int MATCHING_FULL = 0;
    public static final int MATCHING_SHA256 = 1;
    public static final int MATCHING_SHA512 = 2;
    private static final int SHA256_LENGTH = 32;
    private static final int SHA512_LENGTH = 64;

    public static TlsaAssociation of(int usage, int selector, int matchingType, byte[] data) {
        return new TlsaAssociation(usage, selector, matchingType, data);
    }

    private final int usage;
    private final int selector;
    private final int matchingType;
    private final byte[] data;

    private TlsaAssociation(int usage, int selector, int matchingType, byte[] data) {
        this.usage = usage;
        this.selector = selector;
        this.matchingType = matchingType;
        this.data = data.clone();
    }

    public int usage() {
        return usage;
    }

    public int selector() {
        return selector;
    }

    public int matchingType() {
        return matchingType;
    }

    /** The certificate association data (a copy). */
    public byte[] data() {
        return data.clone();
    }

    /** RFC 7672 3.1: DANE-TA or DANE-EE, with a selector and matching type this client knows. */
    public boolean isUsable() {
        boolean usageKnown = usage == USAGE_DANE_TA || usage == USAGE_DANE_EE;
        boolean selectorKnown = selector == SELECTOR_CERT || selector == SELECTOR_SPKI;
        boolean dataFits = (matchingType == MATCHING_FULL && data.length > 0)
            || (matchingType == MATCHING_SHA256 && data.length == SHA256_LENGTH)
            || (matchingType == MATCHING_SHA512 && data.length == SHA512_LENGTH);
        return usageKnown && selectorKnown && dataFits;
    }

    /** True when the selected part of the certificate, under the matching type, is the association data. */
    public boolean matches(X509Certificate certificate) {
        try {
            byte[] selected = selector == SELECTOR_SPKI ? certificate.getPublicKey().getEncoded() : certificate.getEncoded();
            return MessageDigest.isEqual(data, digest(selected));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            return false;
        }
    }

    private byte[] digest(byte[] selected) throws NoSuchAlgorithmException {
        switch (matchingType) {
            case MATCHING_FULL:
                return selected;
            case MATCHING_SHA256:
                return MessageDigest.getInstance("SHA-256").digest(selected);
            case MATCHING_SHA512:
                return MessageDigest.getInstance("SHA-512").digest(selected);
            default:
                throw new NoSuchAlgorithmException("TLSA matching type " + matchingType);
        }
    }

    /** As a zone file writes it: "3 1 1 3A4B...". */
    public String asString() {
        return usage + " " + selector + " " + matchingType + " " + BaseEncoding.base16().encode(data);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsaAssociation) {
            TlsaAssociation that = (TlsaAssociation) o;
            return usage == that.usage && selector == that.selector && matchingType == that.matchingType && Arrays.equals(data, that.data);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(usage, selector, matchingType, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return asString();
    }
}
