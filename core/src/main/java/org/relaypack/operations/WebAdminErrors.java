package org.relaypack.operations;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.eclipse.jetty.http.HttpStatus;

import spark.HaltException;

/**
 * The error answers of the pack's WebAdmin routes ({@link OperationsWebAdminRoutes},
 * {@code MailboxRoutesWebAdminRoutes}), in the JSON shape of James's own routes ({@link ErrorResponder}):
 * each one a status code, an error type and a message that names the value refused.
 */
public final class WebAdminErrors {
    private WebAdminErrors() {
    }

    /** 400: the request names something that cannot be. */
    public static HaltException badRequest(String message) {
        return halt(HttpStatus.BAD_REQUEST_400, ErrorResponder.ErrorType.INVALID_ARGUMENT, message);
    }

    /** 404: the request names something that does not exist. */
    public static HaltException notFound(String message) {
        return halt(HttpStatus.NOT_FOUND_404, ErrorResponder.ErrorType.NOT_FOUND, message);
    }

    /** 409: the request cannot be served in the configuration James runs. */
    public static HaltException conflict(String message) {
        return halt(HttpStatus.CONFLICT_409, ErrorResponder.ErrorType.WRONG_STATE, message);
    }

    /** 415: the body is not JSON. */
    public static HaltException unsupportedMediaType(String message) {
        return halt(HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, ErrorResponder.ErrorType.INVALID_ARGUMENT, message);
    }

    /** 500: the request was right but the server failed to serve it. */
    public static HaltException serverError(String message, Exception cause) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.INTERNAL_SERVER_ERROR_500)
            .type(ErrorResponder.ErrorType.SERVER_ERROR)
            .message(message)
            .cause(cause)
            .haltError();
    }

    /** The address a request gives, or a 400 naming the value. */
    public static MailAddress address(String value) {
        try {
            return new MailAddress(value);
        } catch (AddressException e) {
            throw badRequest("'" + value + "' is not an address: " + e.getMessage());
        }
    }

    private static HaltException halt(int status, ErrorResponder.ErrorType type, String message) {
        return ErrorResponder.builder()
            .statusCode(status)
            .type(type)
            .message(message)
            .haltError();
    }
}
