package org.relaypack.config;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Reads a secret given by one of three attributes of an element: {@code passwordFile} (a James
 * file URL such as {@code file://conf/upstream.secret}, or an absolute path; trailing line breaks
 * are dropped), {@code passwordEnv} (the name of an environment variable) or {@code password}
 * (inline, discouraged). The secret is read once, at startup: a missing file, an empty secret or
 * an unset variable fails startup. A password file that group or others can read gets a warning
 * at startup, naming the file and the fix (chmod 600).
 */
public final class Secrets {
    public static final String PASSWORD = "password";
    public static final String PASSWORD_FILE = "passwordFile";
    public static final String PASSWORD_ENV = "passwordEnv";
    public static final ImmutableList<String> ATTRIBUTES = ImmutableList.of(PASSWORD, PASSWORD_FILE, PASSWORD_ENV);
    private static final Logger LOGGER = LoggerFactory.getLogger(Secrets.class);
    private static final ImmutableSet<PosixFilePermission> GROUP_OR_OTHERS = ImmutableSet.of(PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    /** A secret and where it came from ("file:...", "env:NAME", "inline"), for logs. */
    public static final class Secret {
        private final String value;
        private final String source;

        private Secret(String value, String source) {
            this.value = value;
            this.source = source;
        }

        public String value() {
            return value;
        }

        public String source() {
            return source;
        }
    }

    private final FileSystem fileSystem;
    private final Function<String, String> environment;

    public Secrets(FileSystem fileSystem, Function<String, String> environment) {
        this.fileSystem = fileSystem;
        this.environment = environment;
    }

    /** The secret of the element, or empty when it has none of the three attributes. */
    public Optional<Secret> read(ConfigElement element) throws ConfigurationException {
        long given = element.parameterNames().stream().filter(ATTRIBUTES::contains).count();
        if (given > 1) {
            throw element.error("give only one of password, passwordFile, passwordEnv");
        }
        Optional<String> file = element.value(PASSWORD_FILE);
        if (file.isPresent()) {
            return Optional.of(fromFile(element, file.get()));
        }
        Optional<String> variable = element.value(PASSWORD_ENV);
        if (variable.isPresent()) {
            return Optional.of(fromEnvironment(element, variable.get()));
        }
        return element.value(PASSWORD).map(inline -> new Secret(inline, "inline"));
    }

    /** Resolves a James file URL ("file://conf/x", "file:///abs") or an absolute path to a readable file. */
    public File readableFile(ConfigElement element, String parameter, String location) throws ConfigurationException {
        File file;
        try {
            file = location.startsWith("/") ? new File(location) : fileSystem.getFile(location);
        } catch (IOException | RuntimeException e) {
            throw element.error(parameter, location, "cannot be resolved: " + e.getMessage());
        }
        if (file == null || !file.isFile() || !Files.isReadable(file.toPath())) {
            throw element.error(parameter, location, "is not a readable file" + (file == null ? "" : " (" + file.getAbsolutePath() + ")"));
        }
        return file;
    }

    private Secret fromFile(ConfigElement element, String location) throws ConfigurationException {
        File file = readableFile(element, PASSWORD_FILE, location);
        String content;
        try {
            content = Files.readString(file.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw element.error(PASSWORD_FILE, location, "cannot be read: " + e.getMessage());
        }
        String secret = content.replaceAll("[\\r\\n]+$", "");
        if (secret.isEmpty()) {
            throw element.error(PASSWORD_FILE, location, "is empty");
        }
        warnWhenOthersCanRead(element, location, file);
        return new Secret(secret, "file:" + location);
    }

    /** Like Postfix's postfix-files checks: a secret others can read is a warning, not a refusal (a container may mount it so). */
    private static void warnWhenOthersCanRead(ConfigElement element, String location, File file) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file.toPath());
        } catch (UnsupportedOperationException | IOException e) {
            return;
        }
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            LOGGER.warn("{}: passwordFile '{}' ({}) can be read or written by group or others (permissions {}); "
                    + "let only James's user read it: chmod 600 {}", element.path(), location, file.getAbsolutePath(),
                PosixFilePermissions.toString(permissions), file.getAbsolutePath());
        }
    }

    private Secret fromEnvironment(ConfigElement element, String variable) throws ConfigurationException {
        String value = environment.apply(variable);
        if (value == null) {
            throw element.error(PASSWORD_ENV, variable, "names an environment variable that is not set");
        }
        if (value.isEmpty()) {
            throw element.error(PASSWORD_ENV, variable, "names an environment variable that is empty");
        }
        return new Secret(value, "env:" + variable);
    }
}
