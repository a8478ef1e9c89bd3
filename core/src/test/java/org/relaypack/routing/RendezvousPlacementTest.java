package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class RendezvousPlacementTest {
    static final int USERS = 20_000;
    static final List<MailAddress> ADDRESSES = IntStream.range(0, USERS)
        .mapToObj(i -> address("user" + i + "@example.com"))
        .collect(ImmutableList.toImmutableList());

    static Map<MailAddress, String> place(RendezvousPlacement testee) {
        return ADDRESSES.stream().collect(Collectors.toMap(Function.identity(), testee::hopFor));
    }

    @Test
    void placementShouldBeDeterministicAndIndependentOfPoolOrder() {
        Map<MailAddress, String> first = place(new RendezvousPlacement(List.of("server1", "server2", "server3")));
        Map<MailAddress, String> second = place(new RendezvousPlacement(List.of("server3", "server1", "server2")));

        assertThat(first).isEqualTo(second);
    }

    @Test
    void placementShouldSpreadUsersEvenly() {
        Map<String, Long> perHop = place(new RendezvousPlacement(List.of("server1", "server2", "server3", "server4"))).values().stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        assertThat(perHop).hasSize(4);
        assertThat(perHop.values()).allSatisfy(count -> assertThat(count).isBetween(USERS / 4 - 500L, USERS / 4 + 500L));
    }

    @Test
    void addingAFifthServerShouldMoveAboutOneFifthOfTheUsersAllToTheNewServer() {
        Map<MailAddress, String> before = place(new RendezvousPlacement(List.of("server1", "server2", "server3", "server4")));
        Map<MailAddress, String> after = place(new RendezvousPlacement(List.of("server1", "server2", "server3", "server4", "server5")));

        List<MailAddress> moved = ADDRESSES.stream()
            .filter(address -> !before.get(address).equals(after.get(address)))
            .collect(Collectors.toList());

        assertThat((double) moved.size() / USERS).isBetween(0.18, 0.22);
        assertThat(moved).allSatisfy(address -> assertThat(after.get(address)).isEqualTo("server5"));
    }

    @Test
    void removingAServerShouldMoveOnlyItsOwnUsers() {
        Map<MailAddress, String> before = place(new RendezvousPlacement(List.of("server1", "server2", "server3", "server4")));
        Map<MailAddress, String> after = place(new RendezvousPlacement(List.of("server1", "server2", "server4")));

        assertThat(ADDRESSES).allSatisfy(address -> {
            if (!before.get(address).equals("server3")) {
                assertThat(after.get(address)).isEqualTo(before.get(address));
            }
        });
    }

    @Test
    void lookupShouldIgnoreTheCaseOfTheAddress() {
        RendezvousPlacement testee = new RendezvousPlacement(List.of("server1", "server2", "server3"));

        assertThat(ADDRESSES.subList(0, 100)).allSatisfy(address ->
            assertThat(testee.lookup(address(address.asString().toUpperCase())))
                .isEqualTo(testee.lookup(address)));
    }

    @Test
    void aPoolShouldNotBeEmptyNorHoldDuplicates() {
        assertThatThrownBy(() -> new RendezvousPlacement(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RendezvousPlacement(List.of("server1", "server1"))).isInstanceOf(IllegalArgumentException.class);
    }
}
