package org.relaypack.routing;

/** A routes file that cannot be loaded: the file, the line number (0 for the whole file) and the reason. */
public class RoutesFileException extends Exception {
    private final String file;
    private final int line;
    private final String reason;

    public RoutesFileException(String file, int line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public RoutesFileException(String file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.line = 0;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
