package dev.kinglet.report;


import tools.jackson.databind.node.ObjectNode;

import dev.kinglet.util.Schemas;

/** The JSON Schema of {@code results.json}, generated from {@link RunReport.Results} so it cannot drift from what is written. */
public final class ResultsSchema {
    private ResultsSchema() {}

    public static ObjectNode generate() {
        return Schemas.generate(RunReport.Results.class, "https://kinglet.dev/schema/results.json", "Kinglet run results");
    }

    public static String json() {
        return generate().toPrettyString() + "\n";
    }
}
