package io.glambdar.sandbox.docker.image;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ImageReferenceTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "node,                          node,                  latest",
            "node:22-slim,                  node,                  22-slim",
            "library/node:22,               library/node,          22",
            "localhost:5000/node,           localhost:5000/node,   latest",
            "localhost:5000/node:22,        localhost:5000/node,   22",
            "localhost:5000/team/node:22.1, localhost:5000/team/node, 22.1",
            "node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, node,"
                    + " sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    })
    void splitsRepositoryFromTagOrDigest(String image, String repository, String tag) {
        assertThat(ImageReference.parse(image)).isEqualTo(new ImageReference(repository, tag));
    }
}
