package org.relaypack.runner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * Lays a conf-sample folder out as a James {@code conf/} folder, exactly as shipped except for what a
 * local run must change: listener ports ({@code <bind>}, WebAdmin and JMX ports) are remapped and
 * bound to loopback, and literal peer addresses are substituted. Only text files are rewritten, and
 * only when something changes; every other file (a PKCS12 trust store) is copied byte for byte.
 */
public final class ConfSample {
    private static final Pattern BIND = Pattern.compile("<bind>\\s*([^<:]*):(\\d+)\\s*</bind>");
    private static final Pattern PROPERTY_PORT = Pattern.compile("(?m)^([ \\t]*(?:port|jmx\\.port)[ \\t]*=[ \\t]*)(\\d+)[ \\t]*$");
    private static final Pattern SECRET = Pattern.compile("<secret>([^<]+)</secret>");

    private final Path sampleDir;
    private final Map<String, String> substitutions = new LinkedHashMap<>();
    private final Set<String> substituted = new HashSet<>();

    public ConfSample(Path sampleDir) {
        if (!Files.isDirectory(sampleDir)) {
            throw new IllegalArgumentException("No conf-sample folder " + sampleDir);
        }
        this.sampleDir = sampleDir;
    }

    /** Replaces every occurrence of {@code from} by {@code to} in every file (peer addresses). */
    public ConfSample substitute(String from, String to) {
        substitutions.put(from, to);
        return this;
    }

    /** The substitutions that no file written so far contained: a caller's text that no longer matches the sample. */
    public Set<String> unusedSubstitutions() {
        Set<String> unused = new LinkedHashSet<>(substitutions.keySet());
        unused.removeAll(substituted);
        return unused;
    }

    /**
     * Copies the sample into {@code confDir}, remapping each shipped port through {@code ports}.
     *
     * @return shipped port => port actually bound, for every listener of the sample
     */
    public Map<Integer, Integer> writeTo(Path confDir, IntUnaryOperator ports) {
        return writeTo(confDir, List.of(), ports);
    }

    /**
     * As {@link #writeTo(Path, IntUnaryOperator)}, with the files of {@code overlays} (in order)
     * replacing or adding to the sample's before the rewrite: test-only configuration.
     */
    public Map<Integer, Integer> writeTo(Path confDir, List<Path> overlays, IntUnaryOperator ports) {
        Map<Integer, Integer> mapped = new LinkedHashMap<>();
        IntUnaryOperator remember = shipped -> mapped.computeIfAbsent(shipped, ports::applyAsInt);
        try {
            Files.createDirectories(confDir);
            Map<String, Path> sources = new LinkedHashMap<>();
            for (Path folder : ImmutableList.<Path>builder().add(sampleDir).addAll(overlays).build()) {
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        if (Files.isRegularFile(file)) {
                            sources.put(file.getFileName().toString(), file);
                        }
                    }
                }
            }
            for (Map.Entry<String, Path> source : sources.entrySet()) {
                copy(source.getValue(), confDir.resolve(source.getKey()), remember);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lay out conf-sample " + sampleDir + " in " + confDir + ": " + e, e);
        }
        return ImmutableMap.copyOf(mapped);
    }

    /**
     * Copies one file byte for byte, unless it is text that a local run must change (ports, peer
     * addresses): a binary file (a PKCS12 trust store) is never decoded.
     */
    private void copy(Path source, Path target, IntUnaryOperator ports) {
        try {
            byte[] bytes = Files.readAllBytes(source);
            Optional<String> text = text(bytes);
            if (text.isEmpty()) {
                Files.write(target, bytes);
                return;
            }
            String rewritten = rewrite(source.getFileName().toString(), text.get(), ports);
            Files.write(target, rewritten.equals(text.get()) ? bytes : rewritten.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot copy conf-sample file " + source + " to " + target + ": " + e, e);
        }
    }

    /** The content as text if it is valid UTF-8 without NUL bytes, else empty (binary). */
    static Optional<String> text(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private String rewrite(String name, String original, IntUnaryOperator ports) {
        String content = original;
        for (Map.Entry<String, String> substitution : substitutions.entrySet()) {
            if (content.contains(substitution.getKey())) {
                substituted.add(substitution.getKey());
                content = content.replace(substitution.getKey(), substitution.getValue());
            }
        }
        if (name.endsWith(".xml")) {
            return replaceAll(BIND.matcher(content),
                m -> "<bind>127.0.0.1:" + ports.applyAsInt(Integer.parseInt(m.group(2))) + "</bind>");
        }
        if (name.equals("webadmin.properties") || name.equals("jmx.properties")) {
            return replaceAll(PROPERTY_PORT.matcher(content),
                m -> m.group(1) + ports.applyAsInt(Integer.parseInt(m.group(2))));
        }
        return content;
    }

    private static String replaceAll(Matcher matcher, java.util.function.Function<Matcher, String> replacement) {
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement.apply(matcher)));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    /** The keystore secret the sample's smtpserver.xml expects, if it declares TLS. */
    public static Optional<String> keystoreSecret(Path confDir) {
        Path smtpserver = confDir.resolve("smtpserver.xml");
        if (!Files.exists(smtpserver)) {
            return Optional.empty();
        }
        try {
            Matcher matcher = SECRET.matcher(Files.readString(smtpserver, StandardCharsets.UTF_8));
            return matcher.find() ? Optional.of(matcher.group(1).trim()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
