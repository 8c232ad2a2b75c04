package dev.strata.sandbox.samples.plugins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.UncheckedIOException;
import java.util.Map;

/** The responses' JSON, written by Jackson. */
final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String object(Map<String, ?> fields) {
    try {
      return MAPPER.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Already-encoded JSON, nested as it is. */
  static RawValue raw(String json) {
    return new RawValue(json);
  }
}
