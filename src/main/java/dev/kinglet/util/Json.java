package dev.kinglet.util;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper of run artifacts. */
public final class Json {
    public static final ObjectMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    public static final ObjectMapper LINE = JsonMapper.builder().build();

    private Json() {}
}
