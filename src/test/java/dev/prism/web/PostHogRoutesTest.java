package dev.prism.web;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.prism.web.PostHogRoutes.UnknownClass.API;
import static dev.prism.web.PostHogRoutes.UnknownClass.CAPTURE;
import static dev.prism.web.PostHogRoutes.UnknownClass.OTHER;
import static dev.prism.web.PostHogRoutes.UnknownClass.STATIC;
import static dev.prism.web.PostHogRoutes.classify;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Classes of unknown routes")
class PostHogRoutesTest {

    @Test
    @DisplayName("SDK-looking paths are capture, REST paths api, files static, the rest other")
    void classes() {
        assertThat(classify("/i/v0/ai/otel")).isEqualTo(CAPTURE);
        assertThat(classify("/i/v1/logs")).isEqualTo(CAPTURE);
        assertThat(classify("/s/")).isEqualTo(CAPTURE);
        assertThat(classify("/e")).isEqualTo(CAPTURE);
        assertThat(classify("/array/phc_x/config")).isEqualTo(CAPTURE);
        assertThat(classify("/v1/traces")).isEqualTo(CAPTURE);
        assertThat(classify("/api/feature_flag/local_evaluation")).isEqualTo(CAPTURE);
        assertThat(classify("/api/projects/default/nothing")).isEqualTo(API);
        assertThat(classify("/API")).isEqualTo(API);
        assertThat(classify("/favicon.ico")).isEqualTo(STATIC);
        assertThat(classify("/assets/app")).isEqualTo(STATIC);
        assertThat(classify("/wp-login")).isEqualTo(OTHER);
        assertThat(classify("/everything")).isEqualTo(OTHER);
        assertThat(classify(null)).isEqualTo(OTHER);
    }

    @Test
    @DisplayName("the empty flags answer is JSON with no flags in each shape SDKs read")
    void emptyFlags() throws Exception {
        var json = dev.prism.support.HttpApi.JSON.readTree(PostHogRoutes.emptyFlags("r1"));
        assertThat(json.get("flags").isObject()).isTrue();
        assertThat(json.get("flags").size()).isZero();
        assertThat(json.get("featureFlags").size()).isZero();
        assertThat(json.get("featureFlagPayloads").size()).isZero();
        assertThat(json.get("errorsWhileComputingFlags").asBoolean()).isFalse();
        assertThat(json.get("requestId").asText()).isEqualTo("r1");
    }
}
