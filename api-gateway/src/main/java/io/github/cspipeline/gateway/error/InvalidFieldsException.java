package io.github.cspipeline.gateway.error;

import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;

/**
 * Fields that break a rule checked after bean validation (the rules shared with the worker): the
 * same 400 {@code INVALID_FIELD} answer with a {@code fields} map as bean validation gives.
 */
public class InvalidFieldsException extends GatewayException {

  private final Map<String, String> fields;

  /**
   * @param fields what is wrong, by field name; messages must not repeat the values
   */
  public InvalidFieldsException(Map<String, String> fields) {
    super(HttpStatus.BAD_REQUEST, "INVALID_FIELD", "Invalid field(s): " + fields.keySet());
    this.fields = new TreeMap<>(fields);
  }

  public Map<String, String> fields() {
    return fields;
  }
}
