package dev.kinglet.report;

import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema of {@code results.json}, generated from {@link RunReport.Results} so it cannot
 * drift from what is written. Parts copied through from other files (provenance, ensembles) are
 * described as objects.
 */
public final class ResultsSchema {
    private ResultsSchema() {}

    public static ObjectNode generate() {
        var builder = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule())
                .with(Option.DEFINITIONS_FOR_ALL_OBJECTS, Option.NULLABLE_FIELDS_BY_DEFAULT);
        builder.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> JsonNode.class.isAssignableFrom(type.getErasedType())
                ? new CustomDefinition(context.getGeneratorConfig().createObjectNode().put("description", "copied from the run directory"))
                : null);
        ObjectNode schema = new SchemaGenerator(builder.build()).generateSchema(RunReport.Results.class);
        schema.put("$id", "https://kinglet.dev/schema/results.json");
        schema.put("title", "Kinglet run results");
        return schema;
    }

    public static String json() {
        return generate().toPrettyString() + "\n";
    }
}
