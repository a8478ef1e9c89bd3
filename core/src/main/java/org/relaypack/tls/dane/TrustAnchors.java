package org.relaypack.tls.dane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * The DNSSEC trust anchors of a validating resolver: DS or DNSKEY records in zone file format, as
 * unbound's root.key and dnsjava's trust anchor file hold them (comments and other record types
 * are ignored). Read once, when James starts.
 */
public final class TrustAnchors {
    /**
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is not a zone file or holds no DS nor DNSKEY record
     */
    public static TrustAnchors read(Path file) throws IOException {
        ImmutableList.Builder<String> anchors = ImmutableList.builder();
        try (InputStream in = Files.newInputStream(file); Master master = new Master(in, Name.root, 0)) {
            Record record;
            while ((record = master.nextRecord()) != null) {
                if (record.getType() == Type.DS || record.getType() == Type.DNSKEY) {
                    anchors.add(record.toString());
                }
            }
        } catch (IOException e) {
            if (!Files.isReadable(file)) {
                throw e;
            }
            // dnsjava's Master reports a syntax error as an IOException (TextParseException)
            throw new IllegalArgumentException("is not a zone file of DS or DNSKEY records: " + e.getMessage(), e);
        }
        ImmutableList<String> records = anchors.build();
        if (records.isEmpty()) {
            throw new IllegalArgumentException("holds no DS or DNSKEY record");
        }
        return new TrustAnchors(records);
    }

    private final ImmutableList<String> records;

    private TrustAnchors(ImmutableList<String> records) {
        this.records = records;
    }

    /** The anchors, one record per line, in zone file format. */
    public ImmutableList<String> records() {
        return records;
    }

    InputStream asZoneFile() {
        return new ByteArrayInputStream((String.join("\n", records) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustAnchors && records.equals(((TrustAnchors) o).records);
    }

    @Override
    public int hashCode() {
        return Objects.hash(records);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("records", records.size()).toString();
    }
}
