package org.relaypack.benchmarks.relay;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/** The command line of {@code benchmarks/run.sh}: what load, how many rounds, which configurations. */
final class BenchmarkOptions {
    static final String USAGE = "usage: benchmarks/run.sh [--quick] [-n MESSAGES] [-c SESSIONS] [-s BYTES] [--warmup MESSAGES]"
        + " [--rounds R] [--configs null,remote-delivery,smarthost] [--idle-wait SECONDS] [--heap SIZE] [--results DIR] [--pack JAR] [--baseline-pack JAR]";
    static final List<String> ALL_CONFIGURATIONS = Arrays.asList("null", "remote-delivery", "smarthost");
    /** (c) again, from the pack given with --baseline-pack: a change measured against its baseline in one run. */
    static final String SMARTHOST_BASELINE = "smarthost-baseline";
    static final int DEFAULT_MESSAGES = 10_000;
    static final int DEFAULT_CONCURRENCY = 20;
    static final int DEFAULT_SIZE = 4096;
    static final int DEFAULT_WARMUP = 50_000;
    static final int DEFAULT_ROUNDS = 3;
    static final int DEFAULT_IDLE_WAIT_SECONDS = 20;
    static final int QUICK_MESSAGES = 300;
    static final int QUICK_WARMUP = 200;
    static final int QUICK_ROUNDS = 1;

    final boolean quick;
    final int messages;
    final int concurrency;
    final int size;
    final int warmup;
    final int rounds;
    final List<String> configurations;
    final int idleWaitSeconds;
    final String heap;
    final Path root;
    final Path results;
    /** The pack jar James loads; empty: dist/target/relaypack-*.jar. */
    final java.util.Optional<Path> pack;
    /** The pack jar of (c0), the baseline of (c); empty: no (c0). */
    final java.util.Optional<Path> baselinePack;

    private BenchmarkOptions(boolean quick, int messages, int concurrency, int size, int warmup, int rounds,
                             List<String> configurations, int idleWaitSeconds, String heap, Path root, Path results,
                             java.util.Optional<Path> pack, java.util.Optional<Path> baselinePack) {
        this.quick = quick;
        this.messages = messages;
        this.concurrency = concurrency;
        this.size = size;
        this.warmup = warmup;
        this.rounds = rounds;
        this.configurations = configurations;
        this.idleWaitSeconds = idleWaitSeconds;
        this.heap = heap;
        this.root = root;
        this.results = results;
        this.pack = pack;
        this.baselinePack = baselinePack;
    }

    String mode() {
        return quick ? "quick" : "full";
    }

    static BenchmarkOptions parse(String[] args, Path root) {
        boolean quick = Arrays.asList(args).contains("--quick");
        Integer messages = null;
        Integer warmup = null;
        Integer rounds = null;
        Integer idleWait = null;
        int concurrency = DEFAULT_CONCURRENCY;
        int size = DEFAULT_SIZE;
        List<String> configurations = ALL_CONFIGURATIONS;
        String heap = "1g";
        Path results = root.resolve("benchmarks").resolve("results");
        java.util.Optional<Path> pack = java.util.Optional.empty();
        java.util.Optional<Path> baselinePack = java.util.Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                    break;
                case "-n":
                    messages = positive(args, ++i);
                    break;
                case "-c":
                    concurrency = positive(args, ++i);
                    break;
                case "-s":
                    size = positive(args, ++i);
                    break;
                case "--warmup":
                    warmup = atLeastZero(args, ++i);
                    break;
                case "--rounds":
                    rounds = positive(args, ++i);
                    break;
                case "--idle-wait":
                    idleWait = atLeastZero(args, ++i);
                    break;
                case "--heap":
                    heap = value(args, ++i);
                    if (!heap.matches("\\d+[mMgG]")) {
                        throw new IllegalArgumentException("--heap '" + heap + "' is not a size like 512m or 2g");
                    }
                    break;
                case "--configs":
                    configurations = Arrays.asList(value(args, ++i).split(","));
                    for (String configuration : configurations) {
                        if (!ALL_CONFIGURATIONS.contains(configuration)) {
                            throw new IllegalArgumentException("--configs: '" + configuration + "' is not one of " + ALL_CONFIGURATIONS);
                        }
                    }
                    break;
                case "--pack":
                    pack = java.util.Optional.of(Paths.get(value(args, ++i)).toAbsolutePath());
                    break;
                case "--baseline-pack":
                    baselinePack = java.util.Optional.of(Paths.get(value(args, ++i)).toAbsolutePath());
                    break;
                case "--results":
                    results = Paths.get(value(args, ++i)).toAbsolutePath();
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (baselinePack.isPresent()) {
            if (!configurations.contains("smarthost")) {
                throw new IllegalArgumentException("--baseline-pack needs the smarthost configuration");
            }
            List<String> withBaseline = new java.util.ArrayList<>();
            for (String configuration : configurations) {
                if (configuration.equals("smarthost")) {
                    withBaseline.add(SMARTHOST_BASELINE);
                }
                withBaseline.add(configuration);
            }
            configurations = withBaseline;
        }
        return new BenchmarkOptions(quick,
            messages != null ? messages : quick ? QUICK_MESSAGES : DEFAULT_MESSAGES,
            concurrency, size,
            warmup != null ? warmup : quick ? QUICK_WARMUP : DEFAULT_WARMUP,
            rounds != null ? rounds : quick ? QUICK_ROUNDS : DEFAULT_ROUNDS,
            configurations,
            idleWait != null ? idleWait : quick ? 0 : DEFAULT_IDLE_WAIT_SECONDS,
            heap, root, results, pack, baselinePack);
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value\n" + USAGE);
        }
        return args[index];
    }

    private static int positive(String[] args, int index) {
        int value = number(args, index);
        if (value < 1) {
            throw new IllegalArgumentException(args[index - 1] + " " + value + ": must be at least 1");
        }
        return value;
    }

    private static int atLeastZero(String[] args, int index) {
        int value = number(args, index);
        if (value < 0) {
            throw new IllegalArgumentException(args[index - 1] + " " + value + ": must be at least 0");
        }
        return value;
    }

    private static int number(String[] args, int index) {
        String value = value(args, index);
        try {
            return Integer.parseInt(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[index - 1] + " '" + value + "' is not a number");
        }
    }
}
