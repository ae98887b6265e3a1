package dev.portfwd.nft;

import dev.portfwd.compile.DesiredState;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for {@code nft -j list table inet portfwd} holding {@code desired}'s elements, for the
 * class-data-sharing training run of {@code bin/portfwd}: reading it loads the JSON and decoding
 * classes a real plan loads, without a kernel. Not used by any command.
 */
public final class TrainingListing {

  private TrainingListing() {}

  /** The listing nft would print after applying {@code desired} to an empty kernel. */
  public static String of(DesiredState desired) {
    StringBuilder json =
        new StringBuilder("{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}}, ")
            .append("{\"table\": {\"family\": \"inet\", \"name\": \"portfwd\", \"handle\": 1}}, ")
            .append("{\"set\": {\"family\": \"inet\", \"name\": \"")
            .append(Skeleton.MARKER)
            .append("\", \"table\": \"portfwd\", \"type\": \"inet_service\", \"handle\": 2}}");
    Map<String, List<NftElement>> sets =
        ElementCodec.encode(NftBackend.kernelFormOf(desired).forwards());
    for (Map.Entry<String, List<NftElement>> set : sets.entrySet()) {
      boolean map = set.getValue().stream().anyMatch(e -> !e.value().isEmpty());
      json.append(", {\"")
          .append(map ? "map" : "set")
          .append("\": {\"family\": \"inet\", \"name\": \"")
          .append(set.getKey())
          .append("\", \"table\": \"portfwd\", \"handle\": 3, \"elem\": [");
      String separator = "";
      for (NftElement element : set.getValue()) {
        json.append(separator);
        separator = ", ";
        if (map) {
          json.append("[{\"elem\": {\"val\": ")
              .append(parts(element.key()))
              .append(", \"comment\": ")
              .append(string(element.comment()))
              .append("}}, ")
              .append(parts(element.value()))
              .append(']');
        } else {
          json.append(parts(element.key()));
        }
      }
      json.append("]}}");
    }
    return json.append("]}\n").toString();
  }

  private static String parts(List<String> parts) {
    if (parts.size() == 1) {
      return string(parts.get(0));
    }
    StringBuilder concat = new StringBuilder("{\"concat\": [");
    for (int i = 0; i < parts.size(); i++) {
      concat.append(i == 0 ? "" : ", ").append(string(parts.get(i)));
    }
    return concat.append("]}").toString();
  }

  private static String string(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
