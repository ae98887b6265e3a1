package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code packaging/grafana/portfwd.json} is valid JSON and queries only what portfwd exports. */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("packaging/grafana/portfwd.json");
  private static final Pattern METRIC = Pattern.compile("\\b(portfwd_[a-z_]+)");

  /** The series names a scrape holds: families, and a histogram's _bucket, _sum and _count. */
  private static Set<String> exported() {
    Set<String> names = new TreeSet<>(MetricNames.SERVICE);
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      names.add("portfwd_apply_duration_seconds" + suffix);
    }
    return names;
  }

  @Test
  void isADashboardWhoseQueriesUseOnlyExportedMetrics() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("title").asText()).isEqualTo("portfwd");
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        expressions.add(target.path("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      expressions.add(variable.path("definition").asText());
    }
    assertThat(expressions).hasSizeGreaterThan(5).doesNotContain("");

    Set<String> used = new TreeSet<>();
    for (String expression : expressions) {
      Matcher matcher = METRIC.matcher(expression);
      boolean any = false;
      while (matcher.find()) {
        used.add(matcher.group(1));
        any = true;
      }
      assertThat(any).as("queries a portfwd metric: %s", expression).isTrue();
    }
    assertThat(exported()).containsAll(used);
    // Every metric family shows somewhere.
    for (String name : MetricNames.SERVICE) {
      assertThat(used).as("the dashboard shows %s", name).anyMatch(u -> u.startsWith(name));
    }
  }
}
