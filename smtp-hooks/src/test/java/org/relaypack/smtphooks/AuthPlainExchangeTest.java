package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.junit.jupiter.api.Test;

class AuthPlainExchangeTest {
    /** A session that keeps the line handlers pushed on it, as James's Netty transport does. */
    private final Deque<LineHandler<SMTPSession>> lineHandlers = new ArrayDeque<>();
    private final List<String> delegated = new ArrayList<>();
    private final AuthPlainExchange testee = new AuthPlainExchange();

    @SuppressWarnings("unchecked")
    private final SMTPSession session = (SMTPSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SMTPSession.class},
        (proxy, method, args) -> {
            switch (method.getName()) {
                case "pushLineHandler":
                    lineHandlers.push((LineHandler<SMTPSession>) args[0]);
                    return null;
                case "popLineHandler":
                    lineHandlers.poll();
                    return null;
                case "getUsername":
                    return null;
                case "getConfiguration":
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SMTPConfiguration.class},
                        (p, m, a) -> m.getName().equals("isPlainAuthEnabled") ? Boolean.TRUE : null);
                case "getRemoteAddress":
                    return new InetSocketAddress("192.0.2.7", 40000);
                case "getLocalAddress":
                    return new InetSocketAddress("127.0.0.1", 465);
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        });

    AuthPlainExchangeTest() {
        testee.delegateTo(new CommandHandler<>() {
            @Override
            public Response onCommand(SMTPSession session, Request request) {
                delegated.add(request.getCommand() + " " + request.getArgument());
                return new SMTPResponse("235", "Authentication Successful");
            }

            @Override
            public java.util.Collection<String> getImplCommands() {
                return List.of("AUTH");
            }
        });
    }

    private Response line(String line) {
        return lineHandlers.peek().onLine(session, (line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aResponseThatIsNotBase64ShouldGet501AndEndTheExchange() {
        assertThat(testee.onCommand(session, new BaseRequest("AUTH", "PLAIN")).getRetCode()).isEqualTo("334");

        Response response = line("not base64!");

        assertThat(response.getLines()).containsExactly("501 5.5.2 Invalid base64 in the AUTH PLAIN response");
        assertThat(lineHandlers).isEmpty();
        assertThat(delegated).isEmpty();
    }

    @Test
    void aCancelShouldGet501AndEndTheExchange() {
        testee.onCommand(session, new BaseRequest("AUTH", "plain"));

        assertThat(line("*").getLines()).containsExactly("501 5.7.0 Authentication aborted");
        assertThat(lineHandlers).isEmpty();
    }

    @Test
    void aBase64ResponseShouldBeCheckedByJamesAsAnInitialResponse() {
        testee.onCommand(session, new BaseRequest("AUTH", "PLAIN"));

        assertThat(line("AGFsaWNlAHNlY3JldA==").getRetCode()).isEqualTo("235");
        assertThat(delegated).containsExactly("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
        assertThat(lineHandlers).isEmpty();
    }

    @Test
    void otherAuthFormsShouldBeLeftToJames() {
        assertThat(testee.onCommand(session, new BaseRequest("AUTH", "PLAIN AGFsaWNlAHNlY3JldA=="))).isNull();
        assertThat(testee.onCommand(session, new BaseRequest("AUTH", "LOGIN"))).isNull();
        assertThat(testee.onCommand(session, new BaseRequest("AUTH", null))).isNull();
        assertThat(lineHandlers).isEmpty();
    }
}
