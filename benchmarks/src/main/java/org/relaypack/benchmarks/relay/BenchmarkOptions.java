package org.relaypack.benchmarks.relay;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/** The command line of {@code benchmarks/run.sh}: what load, how many rounds, which configurations. */
final class BenchmarkOptions {
    static final String USAGE = "usage: benchmarks/run.sh [--quick] [-n MESSAGES] [-c SESSIONS] [-s BYTES] [--warmup MESSAGES]"
        + " [--rounds R] [--configs null,remote-delivery,smarthost,remote-delivery-activemq,smarthost-activemq,postfix] [--durable]"
        + " [--inbound new|reused|both] [--idle-wait SECONDS] [--heap SIZE] [--results DIR] [--pack JAR] [--fanout M] | --large [-n N] [-s BYTES] [--heap SIZE]";
    static final String INBOUND_BOTH = "both";
    static final int DEFAULT_MESSAGES = 10_000;
    static final int DEFAULT_CONCURRENCY = 20;
    static final int DEFAULT_SIZE = 4096;
    static final int DEFAULT_WARMUP = 50_000;
    static final int DEFAULT_ROUNDS = 3;
    static final int DEFAULT_IDLE_WAIT_SECONDS = 20;
    static final int QUICK_MESSAGES = 300;
    static final int QUICK_WARMUP = 200;
    static final int QUICK_ROUNDS = 1;
    static final int DEFAULT_FANOUT = 50;
    static final int QUICK_FANOUT = 5;
    static final int LARGE_MESSAGES = 20;
    static final int LARGE_SIZE = 40 * 1000 * 1000;
    static final String LARGE_HEAP = "3g";

    final boolean quick;
    /** {@code --durable}: the durable row (James on ActiveMQ with and without the pack, Postfix). */
    final boolean durable;
    /** {@code --large}: the memory story, N messages of S bytes in parallel, the heap James needs (see {@link LargeMessages}). */
    final boolean large;
    final int messages;
    final int concurrency;
    final int size;
    final int warmup;
    final int rounds;
    final List<String> configurations;
    /** The inbound modes each round runs, in this order in the first round. */
    final List<InboundMode> inbound;
    final int idleWaitSeconds;
    final String heap;
    final Path root;
    final Path results;
    /** The pack jar James loads; empty: dist/target/relaypack-*.jar. */
    final java.util.Optional<Path> pack;
    /** Fan-out messages (each to 100 recipients on 10 servers), after as many warm-up ones; 0: no fan-out case. */
    final int fanout;

    private BenchmarkOptions(boolean quick, boolean durable, boolean large, int messages, int concurrency, int size, int warmup, int rounds,
                             List<String> configurations, List<InboundMode> inbound, int idleWaitSeconds, String heap, Path root, Path results,
                             java.util.Optional<Path> pack, int fanout) {
        this.quick = quick;
        this.durable = durable;
        this.large = large;
        this.messages = messages;
        this.concurrency = concurrency;
        this.size = size;
        this.warmup = warmup;
        this.rounds = rounds;
        this.configurations = configurations;
        this.inbound = inbound;
        this.idleWaitSeconds = idleWaitSeconds;
        this.heap = heap;
        this.root = root;
        this.results = results;
        this.pack = pack;
        this.fanout = fanout;
    }

    /** The mode's name in the report and in its file name: quick, full, quick-durable, durable, large. */
    String mode() {
        if (large) {
            return "large";
        }
        return durable ? (quick ? "quick-durable" : "durable") : quick ? "quick" : "full";
    }

    static BenchmarkOptions parse(String[] args, Path root) {
        boolean quick = Arrays.asList(args).contains("--quick");
        boolean durable = Arrays.asList(args).contains("--durable");
        boolean large = Arrays.asList(args).contains("--large");
        if (large && (quick || durable)) {
            throw new IllegalArgumentException("--large runs on its own, not with --quick or --durable\n" + USAGE);
        }
        Integer messages = null;
        Integer warmup = null;
        Integer rounds = null;
        Integer idleWait = null;
        Integer fanout = null;
        int concurrency = DEFAULT_CONCURRENCY;
        Integer size = null;
        List<String> configurations = durable ? Configuration.DURABLE : Configuration.MEMORY_QUEUE;
        List<InboundMode> inbound = Arrays.asList(InboundMode.values());
        String heap = large ? LARGE_HEAP : "1g";
        Path results = root.resolve("benchmarks").resolve("results");
        java.util.Optional<Path> pack = java.util.Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                case "--durable":
                case "--large":
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
                    configurations.forEach(Configuration::named);
                    break;
                case "--inbound":
                    String mode = value(args, ++i);
                    inbound = mode.equals(INBOUND_BOTH) ? Arrays.asList(InboundMode.values())
                        : java.util.Collections.singletonList(InboundMode.fromOption(mode));
                    break;
                case "--fanout":
                    fanout = atLeastZero(args, ++i);
                    break;
                case "--pack":
                    pack = java.util.Optional.of(Paths.get(value(args, ++i)).toAbsolutePath());
                    break;
                case "--results":
                    results = Paths.get(value(args, ++i)).toAbsolutePath();
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        return new BenchmarkOptions(quick, durable, large,
            messages != null ? messages : large ? LARGE_MESSAGES : quick ? QUICK_MESSAGES : DEFAULT_MESSAGES,
            concurrency, size != null ? size : large ? LARGE_SIZE : DEFAULT_SIZE,
            warmup != null ? warmup : quick ? QUICK_WARMUP : DEFAULT_WARMUP,
            rounds != null ? rounds : quick ? QUICK_ROUNDS : DEFAULT_ROUNDS,
            configurations, inbound,
            idleWait != null ? idleWait : quick ? 0 : DEFAULT_IDLE_WAIT_SECONDS,
            heap, root, results, pack,
            fanout != null ? fanout : durable || large ? 0 : quick ? QUICK_FANOUT : DEFAULT_FANOUT);
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
