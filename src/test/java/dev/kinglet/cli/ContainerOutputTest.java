package dev.kinglet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerOutputTest {
    @TempDir Path dir;

    /** A container's mountinfo: the overlay root, /proc, and a host directory bound at /runs. */
    private Path mountinfo() throws Exception {
        return Files.writeString(dir.resolve("mountinfo"), """
                372 300 0:55 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/containers/storage/overlay/l/A
                373 372 0:58 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
                380 372 254:1 /tmp/host-runs /runs rw,relatime - ext4 /dev/vda1 rw
                """);
    }

    @Test
    void refusesARunDirectoryOnTheContainersOwnFileSystem() throws Exception {
        Map<String, String> env = Map.of("KINGLET_CONTAINER", "1");
        assertThatThrownBy(() -> ContainerOutput.requireMounted(Path.of("/opt/kinglet/runs"), env, mountinfo()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lost with it").hasMessageContaining("-v \"$PWD/runs:/runs\"").hasMessageContaining("--out");
        ContainerOutput.requireMounted(Path.of("/runs"), env, mountinfo());
        ContainerOutput.requireMounted(Path.of("/runs/fashion-quick/20261205-120000"), env, mountinfo());
        assertThat(ContainerOutput.mountPointOf(Path.of("/runsx"), mountinfo())).isEqualTo("/");
    }

    @Test
    void checksNothingOutsideKingletsImages() throws Exception {
        ContainerOutput.requireMounted(Path.of("/opt/kinglet/runs"), Map.of(), mountinfo());
    }
}
