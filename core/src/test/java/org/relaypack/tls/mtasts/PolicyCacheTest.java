package org.relaypack.tls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCacheTest {
    private static final String TEXT = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n";

    @TempDir
    Path directory;

    @Test
    void aStoredPolicyShouldBeReadByANewCacheOnTheSameDirectory() throws Exception {
        MtaStsPolicy policy = PolicyText.parse("example.com", "id7", TEXT, Instant.parse("2026-11-30T12:00:00Z"));
        PolicyCache.inDirectory(directory.resolve("mta-sts")).put(policy);

        PolicyCache testee = PolicyCache.inDirectory(directory.resolve("mta-sts"));

        assertThat(testee.get("example.com")).contains(policy);
        assertThat(Files.list(directory.resolve("mta-sts"))).containsExactly(directory.resolve("mta-sts/example.com.properties"));
    }

    @Test
    void aDamagedFileShouldBeIgnored() throws Exception {
        Files.writeString(directory.resolve("example.com.properties"), "domain=example.com\nid=1\nfetchedAt=yesterday\npolicy=x\n",
            StandardCharsets.ISO_8859_1);
        Files.writeString(directory.resolve("example.org.properties"), "domain=example.net\n", StandardCharsets.ISO_8859_1);

        PolicyCache testee = PolicyCache.inDirectory(directory);

        assertThat(testee.get("example.com")).isEmpty();
        assertThat(testee.get("example.org")).isEmpty();
        assertThat(testee.get("example.net")).isEmpty();
    }

    @Test
    void aMissingDirectoryShouldGiveAnEmptyCache() {
        assertThat(PolicyCache.inDirectory(directory.resolve("absent")).get("example.com")).isEmpty();
    }
}
