package org.relaypack.tls.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * The report directory: one {@code SUBMITTER!DOMAIN!BEGIN!END.json} file per closed day and Policy
 * Domain (RFC 8460 5.1's name), and {@code DOMAIN!DAY.partial.json} for the day James stopped in,
 * read back (and removed) when it starts again. Files are written to a temporary name and moved
 * into place.
 */
final class ReportFiles {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReportFiles.class);
    static final String PARTIAL_SUFFIX = ".partial.json";

    private final Path directory;

    ReportFiles(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    Path writeReport(TlsReport report, String submitter) throws IOException {
        return write(report.fileName(submitter), report);
    }

    Path writePartial(TlsReport report, LocalDate day) throws IOException {
        return write(report.domain() + "!" + day + PARTIAL_SUFFIX, report);
    }

    private Path write(String name, TlsReport report) throws IOException {
        Files.createDirectories(directory);
        Path target = directory.resolve(name);
        Path temporary = directory.resolve(name + ".tmp");
        Files.write(temporary, TlsReportJson.write(report));
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** The partial files of earlier runs, read and removed; a damaged one is logged and left. */
    ImmutableList<TlsReport> takePartials() {
        if (!Files.isDirectory(directory)) {
            return ImmutableList.of();
        }
        ImmutableList.Builder<TlsReport> reports = ImmutableList.builder();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + PARTIAL_SUFFIX)) {
            for (Path file : files) {
                try {
                    reports.add(TlsReportJson.read(Files.readAllBytes(file)));
                    Files.delete(file);
                } catch (IOException | RuntimeException e) {
                    LOGGER.warn("TLS reporting: cannot read the partial report {}; left as it is", file, e);
                }
            }
        } catch (IOException e) {
            LOGGER.warn("TLS reporting: cannot list {}", directory, e);
        }
        return reports.build();
    }

    static LocalDate dayOf(TlsReport report) {
        return LocalDate.ofInstant(report.start(), ZoneOffset.UTC);
    }
}
