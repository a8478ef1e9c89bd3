package org.relaypack.tls.report;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.util.concurrent.ThreadFactoryBuilder;

/**
 * RFC 8460 reporting, once per James: counts the outcomes the delivery path hands to
 * {@link #sink()}, and when a UTC day has closed writes one report per Policy Domain to the report
 * directory and, when asked, mails it ({@link ReportSender}). A thread named
 * {@code relaypack-tls-reports} looks once a minute whether a day has closed; {@link #close()}
 * stops it, closes what is finished and writes the current day so far as a partial file, which the
 * next start counts back into the day. Disabled: no thread, the sink records nothing.
 */
public final class TlsReporting implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsReporting.class);
    static final Duration CHECK_PERIOD = Duration.ofMinutes(1);
    /** A report whose sending failed is tried again after this, then at every check, for {@link #SEND_FOR}. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(10);
    static final Duration SEND_FOR = Duration.ofDays(1);

    public static TlsReporting disabled() {
        return new TlsReporting(Optional.empty());
    }

    /** Starts reporting as configured (a disabled configuration gives {@link #disabled()}). */
    public static TlsReporting start(TlsReportingConfiguration configuration, DNSService dns, FileSystem fileSystem,
                                     MailetContext mailetContext) {
        if (!configuration.enabled()) {
            return disabled();
        }
        String submitter = configuration.submitter().orElseGet(() -> localHostName(dns));
        String sendingIp = configuration.sendingIp().orElseGet(() -> localAddress(dns));
        Clock clock = Clock.systemUTC();
        TlsReporting reporting = new TlsReporting(configuration, submitter, sendingIp, directory(configuration.directory(), fileSystem),
            new ReportSender(dns, mailetContext, clock), clock);
        reporting.startChecking();
        return reporting;
    }

    private static final class Active {
        private final TlsReportingConfiguration configuration;
        private final TlsReport.Header header;
        private final String submitter;
        private final ReportFiles files;
        private final ReportSender sender;
        private final DailyCounts counts;
        private final Clock clock;
        private final Map<TlsReport, Instant> unsent = new LinkedHashMap<>();
        private Optional<ScheduledExecutorService> scheduler = Optional.empty();

        private Active(TlsReportingConfiguration configuration, TlsReport.Header header, String submitter, ReportFiles files,
                       ReportSender sender, Clock clock) {
            this.configuration = configuration;
            this.header = header;
            this.submitter = submitter;
            this.files = files;
            this.sender = sender;
            this.clock = clock;
            this.counts = new DailyCounts(clock);
        }
    }

    private final Optional<Active> active;

    private TlsReporting(Optional<Active> active) {
        this.active = active;
    }

    /**
     * Reporting without the day-close thread: the caller runs {@link #closeFinishedDays()} (tests, with a clock they move).
     * Partial files of earlier runs are counted back, as at every start.
     */
    public static TlsReporting withoutThread(TlsReportingConfiguration configuration, String submitter, String sendingIp, Path directory,
                                             ReportSender sender, Clock clock) {
        return new TlsReporting(configuration, submitter, sendingIp, directory, sender, clock);
    }

    private TlsReporting(TlsReportingConfiguration configuration, String submitter, String sendingIp, Path directory, ReportSender sender,
                         Clock clock) {
        this(Optional.of(new Active(configuration, new TlsReport.Header(configuration.organization(), configuration.contact(), sendingIp),
            submitter, new ReportFiles(directory), sender, clock)));
        Active reporting = active.get();
        reporting.files.takePartials().forEach(partial ->
            partial.policies().forEach(result -> reporting.counts.add(ReportFiles.dayOf(partial), result)));
    }

    private void startChecking() {
        Active reporting = active.orElseThrow();
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("relaypack-tls-reports").setDaemon(true).build());
        executor.scheduleWithFixedDelay(this::closeFinishedDays, 0, CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        reporting.scheduler = Optional.of(executor);
        LOGGER.info("TLS reporting (RFC 8460) on: reports of {} in {}{}", reporting.submitter, reporting.files.directory(),
            reporting.configuration.send() ? ", mailed to the domains that publish _smtp._tls" : ", not mailed (send=\"false\")");
    }

    /** Where the delivery path records; {@link TlsReportSink#NONE} when reporting is off. */
    public TlsReportSink sink() {
        return active.<TlsReportSink>map(reporting -> reporting.counts).orElse(TlsReportSink.NONE);
    }

    /** Sends again the reports whose sending failed, then writes (and sends) the report of every day before today that has counts. */
    public synchronized void closeFinishedDays() {
        if (active.isEmpty()) {
            return;
        }
        Active reporting = active.get();
        try {
            sendUnsent(reporting);
            LocalDate today = reporting.counts.today();
            for (LocalDate day : reporting.counts.days().headSet(today)) {
                reporting.counts.take(day).forEach((domain, results) -> closeDay(reporting, day, domain, results));
            }
        } catch (RuntimeException e) {
            LOGGER.error("TLS reporting: closing the finished days failed", e);
        }
    }

    private void closeDay(Active reporting, LocalDate day, String domain, List<PolicyResult> results) {
        TlsReport report = TlsReport.ofDay(reporting.header, reportId(day, domain), day, domain, results);
        try {
            Path file = reporting.files.writeReport(report, reporting.submitter);
            LOGGER.info("TLS reporting: report {} of {} about {} written to {}", report.reportId(), day, domain, file);
        } catch (IOException e) {
            LOGGER.error("TLS reporting: cannot write the report of {} about {} to {}", day, domain, reporting.files.directory(), e);
        }
        if (reporting.configuration.send()
            && reporting.sender.send(report, reporting.submitter, reporting.configuration.contact()) == ReportSender.Outcome.FAILED) {
            boolean retryScheduled = !reporting.unsent.isEmpty();
            reporting.unsent.put(report, reporting.clock.instant());
            if (!retryScheduled) {
                // one early retry for all the reports refused meanwhile; the checks retry them after it
                reporting.scheduler.ifPresent(scheduler -> scheduler.schedule(this::retryUnsent, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }

    private synchronized void retryUnsent() {
        active.filter(reporting -> reporting.scheduler.isPresent()).ifPresent(TlsReporting::sendUnsent);
    }

    private static void sendUnsent(Active reporting) {
        Iterator<Map.Entry<TlsReport, Instant>> unsent = reporting.unsent.entrySet().iterator();
        while (unsent.hasNext()) {
            Map.Entry<TlsReport, Instant> entry = unsent.next();
            TlsReport report = entry.getKey();
            if (reporting.sender.send(report, reporting.submitter, reporting.configuration.contact()) != ReportSender.Outcome.FAILED) {
                unsent.remove();
            } else if (reporting.clock.instant().isAfter(entry.getValue().plus(SEND_FOR))) {
                LOGGER.error("TLS reporting: report {} about {} could not be sent for {}; given up, it stays in its file",
                    report.reportId(), report.domain(), SEND_FOR);
                unsent.remove();
            }
        }
    }

    private static String reportId(LocalDate day, String domain) {
        return day + "_" + domain + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Stops the thread, closes the finished days and writes the current day so far as partial files. */
    @Override
    public synchronized void close() {
        if (active.isEmpty()) {
            return;
        }
        Active reporting = active.get();
        reporting.scheduler.ifPresent(ScheduledExecutorService::shutdownNow);
        reporting.scheduler = Optional.empty();
        closeFinishedDays();
        reporting.unsent.keySet().forEach(report -> LOGGER.warn("TLS reporting: report {} about {} was not sent before the stop; "
            + "it stays in its file", report.reportId(), report.domain()));
        LocalDate today = reporting.counts.today();
        Map<String, List<PolicyResult>> current = reporting.counts.take(today);
        current.forEach((domain, results) -> {
            TlsReport partial = TlsReport.of(reporting.header, reportId(today, domain), today.atStartOfDay(ZoneOffset.UTC).toInstant(),
                reporting.clock.instant(), domain, results);
            try {
                reporting.files.writePartial(partial, today);
            } catch (IOException e) {
                LOGGER.error("TLS reporting: cannot write the counts of today about {} to {}: they are lost", domain,
                    reporting.files.directory(), e);
            }
        });
        LOGGER.info("TLS reporting stopped: today's counts of {} domain(s) kept in {}", current.size(), reporting.files.directory());
    }

    private static Path directory(String directory, FileSystem fileSystem) {
        if (directory.startsWith("/")) {
            return Paths.get(directory);
        }
        try {
            return fileSystem.getFile(directory).toPath();
        } catch (FileNotFoundException e) {
            throw new IllegalStateException("relaypack.xml/<tls-reporting>: directory '" + directory + "' cannot be resolved: "
                + e.getMessage(), e);
        }
    }

    private static String localHostName(DNSService dns) {
        try {
            String name = dns.getHostName(dns.getLocalHost());
            return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        } catch (Exception e) {
            LOGGER.warn("TLS reporting: cannot find the local host name; reports say 'localhost' unless <tls-reporting submitter> is set", e);
            return "localhost";
        }
    }

    private static String localAddress(DNSService dns) {
        try {
            return dns.getLocalHost().getHostAddress();
        } catch (Exception e) {
            LOGGER.warn("TLS reporting: cannot find the local address; reports say 127.0.0.1 unless <tls-reporting sendingIp> is set", e);
            return "127.0.0.1";
        }
    }
}
