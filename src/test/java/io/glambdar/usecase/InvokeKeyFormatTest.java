package io.glambdar.usecase;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class InvokeKeyFormatTest {

    private final SecureRandom random = new SecureRandom();

    @Test
    void aKeyIsPrefixedCarriesItsIdAndHasAtLeast128RandomBits() {
        InvokeKeyFormat.NewKey made = InvokeKeyFormat.generate(random);

        assertThat(made.keyId()).matches("[0-9a-f]{16}");
        assertThat(made.key()).startsWith("gk_" + made.keyId() + "_");
        String secret = made.key().substring(("gk_" + made.keyId() + "_").length());
        assertThat(secret).matches("[A-Za-z0-9_-]{43}"); // 256 bits, URL-safe base64 without padding
        assertThat(InvokeKeyFormat.SECRET_BYTES * 8).isGreaterThanOrEqualTo(128);
        assertThat(InvokeKeyFormat.keyIdOf(made.key())).isEqualTo(made.keyId());
        assertThat(made.toString()).doesNotContain(made.key());
    }

    @Test
    void keysAndIdsDoNotRepeat() {
        Set<String> keys = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            InvokeKeyFormat.NewKey made = InvokeKeyFormat.generate(random);
            keys.add(made.key());
            ids.add(made.keyId());
        }
        assertThat(keys).hasSize(1000);
        assertThat(ids).hasSize(1000);
    }

    @Test
    void onlyTheHexSha256OfTheWholeKeyIsStored() throws Exception {
        InvokeKeyFormat.NewKey made = InvokeKeyFormat.generate(random);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(made.key().getBytes(StandardCharsets.UTF_8)));
        assertThat(made.hash()).isEqualTo(expected).hasSize(64).doesNotContain(made.key());
        assertThat(InvokeKeyFormat.hash(made.key())).isEqualTo(expected);
    }

    @Test
    void aPresentedKeyMatchesItsHashOnlyWhole() {
        InvokeKeyFormat.NewKey made = InvokeKeyFormat.generate(random);

        assertThat(InvokeKeyFormat.matches(made.key(), made.hash())).isTrue();
        assertThat(InvokeKeyFormat.matches(made.key() + "x", made.hash())).isFalse();
        assertThat(InvokeKeyFormat.matches(made.key().substring(0, made.key().length() - 1), made.hash())).isFalse();
        assertThat(InvokeKeyFormat.matches(InvokeKeyFormat.generate(random).key(), made.hash())).isFalse();
        assertThat(InvokeKeyFormat.matches("", made.hash())).isFalse();
    }

    @Test
    void theKeyIdIsReadOnlyFromSomethingShapedLikeAKey() {
        assertThat(InvokeKeyFormat.keyIdOf("gk_0123456789abcdef_s")).isEqualTo("0123456789abcdef");
        assertThat(InvokeKeyFormat.keyIdOf("gk_0123456789abcdef_")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf("gk_0123456789ABCDEF_secret")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf("gk_0123456789abcde_secret")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf("gk_0123456789abcdefXsecret")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf("xx_0123456789abcdef_secret")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf("the-admin-key")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf("")).isNull();
        assertThat(InvokeKeyFormat.keyIdOf(null)).isNull();
    }
}
