package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class FileRouteSourceTest {
    @TempDir
    Path folder;
    Path routes;
    FileRouteSource testee;

    @BeforeEach
    void setUp() {
        routes = folder.resolve("routes.txt");
    }

    @AfterEach
    void tearDown() {
        if (testee != null) {
            testee.close();
        }
    }

    /** Writes the file with a modification time after the previous one, whatever the clock's resolution. */
    private void write(String... lines) throws IOException {
        FileTime previous = Files.exists(routes) ? Files.getLastModifiedTime(routes) : FileTime.from(Instant.EPOCH);
        Files.write(routes, List.of(lines), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(routes, FileTime.from(previous.toInstant().plusSeconds(1)));
    }

    private void assertAliceRoutedTo(String hop) {
        assertThat(testee.lookup(address("alice@example.com")).route()).contains(Route.to(hop));
    }

    private FileRouteSource load(String... lines) throws Exception {
        write(lines);
        testee = FileRouteSource.load(routes, Duration.ZERO);
        return testee;
    }

    @Nested
    class Contract implements RouteSourceContract {
        final List<String> lines = new ArrayList<>();

        @Override
        public void givenRoute(MailAddress recipient, String hop) {
            lines.add(recipient.asString() + " " + hop);
        }

        @Override
        public void givenRewrittenRoute(MailAddress recipient, String hop, MailAddress rewritten) {
            lines.add(recipient.asString() + "\t" + hop + "\t" + rewritten.asString());
        }

        @Override
        public void givenDomainRoute(Domain domain, String hop) {
            lines.add("@" + domain.asString() + " " + hop);
        }

        @Override
        public RouteSource testee() throws Exception {
            if (testee == null) {
                load(lines.toArray(new String[0]));
            }
            return testee;
        }
    }

    @Nested
    class FileFormat {
        @Test
        void lookupShouldUseTheDefaultKeyWhenNeitherAddressNorDomainMatches() throws Exception {
            load("alice@example.com server1", "@example.com server2", "* server3");

            assertAliceRoutedTo("server1");
            assertThat(testee.lookup(address("bob@example.com")).route()).contains(Route.to("server2"));
            assertThat(testee.lookup(address("dave@other.org")).route()).contains(Route.to("server3"));
        }

        @Test
        void loadShouldSkipCommentsAndBlankLines() throws Exception {
            load("# mailbox servers", "", "   ", "  # indented comment", "alice@example.com   server1");

            assertThat(testee.table().size()).isEqualTo(1);
            assertAliceRoutedTo("server1");
        }

        @Test
        void lookupShouldIgnoreTheCaseOfKeysAndAddresses() throws Exception {
            load("Alice@Example.COM server1");

            assertThat(testee.lookup(address("ALICE@example.com")).route()).contains(Route.to("server1"));
        }

        /** The file's lines (separated by ;), the line the error names, and a part of its message. */
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "alice@example.com server1;bob@example.com | 2 | routes.txt:2",
            "alice@ server1                            | 1 | alice@",
            "alice@example.com server/1                | 1 | server/1"})
        void loadShouldFailOnABadLineNamingTheLine(String lines, int line, String message) throws Exception {
            write(lines.split(";"));

            assertThatThrownBy(() -> FileRouteSource.load(routes, Duration.ZERO))
                .isInstanceOfSatisfying(RoutesFileException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message);
        }

        @Test
        void loadShouldFailOnTooManyFields() throws Exception {
            write("alice@example.com server1 alice@mbox1.example.com extra");

            assertThatThrownBy(() -> FileRouteSource.load(routes, Duration.ZERO))
                .isInstanceOf(RoutesFileException.class)
                .hasMessageContaining("too many fields");
        }

        @Test
        void loadShouldFailOnADuplicateKeyNamingBothLines() throws Exception {
            write("alice@example.com server1", "bob@example.com server1", "ALICE@example.com server2");

            assertThatThrownBy(() -> FileRouteSource.load(routes, Duration.ZERO))
                .isInstanceOfSatisfying(RoutesFileException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("first on line 1");
        }

        @Test
        void loadShouldFailWhenTheFileIsMissing() {
            assertThatThrownBy(() -> FileRouteSource.load(folder.resolve("absent.txt"), Duration.ZERO))
                .isInstanceOf(RoutesFileException.class)
                .hasMessageContaining("absent.txt")
                .hasMessageContaining("file not found");
        }
    }

    @Nested
    class Reload {
        @Test
        void reloadShouldUseTheEditedFile() throws Exception {
            load("alice@example.com server1");

            write("alice@example.com server2");

            assertThat(testee.reloadIfChanged()).isTrue();
            assertAliceRoutedTo("server2");
        }

        @Test
        void reloadShouldDoNothingWhenTheFileDidNotChange() throws Exception {
            load("alice@example.com server1");

            assertThat(testee.reloadIfChanged()).isFalse();
        }

        @Test
        void reloadShouldKeepTheLastGoodTableWhenTheFileIsMalformed() throws Exception {
            load("alice@example.com server1");

            write("alice@example.com server2", "this line is broken because it has four fields");

            assertThat(testee.reloadIfChanged()).isFalse();
            assertAliceRoutedTo("server1");
        }

        @Test
        void reloadShouldKeepTheLastGoodTableWhenTheFileDisappears() throws Exception {
            load("alice@example.com server1");

            Files.delete(routes);

            assertThat(testee.reloadIfChanged()).isFalse();
            assertAliceRoutedTo("server1");
        }

        @Test
        void reloadShouldRecoverWhenABrokenFileIsFixed() throws Exception {
            load("alice@example.com server1");
            write("alice@example.com");
            testee.reloadIfChanged();

            write("alice@example.com server3");

            assertThat(testee.reloadIfChanged()).isTrue();
            assertAliceRoutedTo("server3");
        }

        @Test
        void pollingShouldPickUpAnEditWithoutAnExplicitReload() throws Exception {
            write("alice@example.com server1");
            testee = FileRouteSource.load(routes, Duration.ofMillis(20));

            write("alice@example.com server2");

            Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertAliceRoutedTo("server2"));
        }
    }

    @Nested
    class Edition {
        @Test
        void setRouteShouldAddALineAndSwapTheTable() throws Exception {
            load("# my routes", "alice@example.com server1");

            testee.setRoute(RouteEntry.of("bob@example.com", Route.to("server2")));

            assertThat(testee.lookup(address("bob@example.com")).route()).contains(Route.to("server2"));
            assertThat(Files.readAllLines(routes)).containsExactly("# my routes", "alice@example.com server1", "bob@example.com server2");
        }

        @Test
        void setRouteShouldReplaceTheExistingLineOfTheKey() throws Exception {
            load("# my routes", "Alice@example.com server1", "@example.com server3");

            testee.setRoute(RouteEntry.of("alice@example.com", Route.to("server2", address("a@mbox2.example.com"))));

            assertThat(testee.lookup(address("alice@example.com")).route()).contains(Route.to("server2", address("a@mbox2.example.com")));
            assertThat(Files.readAllLines(routes))
                .containsExactly("# my routes", "alice@example.com server2 a@mbox2.example.com", "@example.com server3");
        }

        @Test
        void deleteRouteShouldRemoveTheLineAndSwapTheTable() throws Exception {
            load("alice@example.com server1", "bob@example.com server2");

            assertThat(testee.deleteRoute("ALICE@example.com")).isTrue();

            assertThat(testee.lookup(address("alice@example.com"))).isEqualTo(RouteLookup.noRoute());
            assertThat(testee.lookup(address("bob@example.com")).route()).contains(Route.to("server2"));
            assertThat(Files.readAllLines(routes)).containsExactly("bob@example.com server2");
        }

        @Test
        void deleteRouteShouldAnswerFalseForAnUnknownKey() throws Exception {
            load("alice@example.com server1");

            assertThat(testee.deleteRoute("bob@example.com")).isFalse();
            assertThat(Files.readAllLines(routes)).containsExactly("alice@example.com server1");
        }

        @Test
        void anEditShouldNotBeReloadedAgainByThePoller() throws Exception {
            load("alice@example.com server1");
            testee.setRoute(RouteEntry.of("bob@example.com", Route.to("server2")));

            assertThat(testee.reloadIfChanged()).isFalse();
            assertThat(testee.table().entries()).extracting(RouteEntry::key).containsExactly("alice@example.com", "bob@example.com");
        }
    }

    @Test
    void lookupShouldNeverFailTemporarily() throws Exception {
        load();

        assertThat(testee.lookup(address("alice@example.com"))).isEqualTo(RouteLookup.noRoute());
        assertThat(Optional.of(testee.name())).contains("file");
    }
}
