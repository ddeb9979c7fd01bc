package dev.kinglet.util;

import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON Schemas of the files Kinglet writes, generated from the records that write them so they
 * cannot drift. Parts copied through from other files (a {@link JsonNode}) are described as
 * objects.
 */
public final class Schemas {
    private Schemas() {}

    public static ObjectNode generate(Class<?> type, String id, String title) {
        var builder = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE))
                .with(Option.DEFINITIONS_FOR_ALL_OBJECTS, Option.NULLABLE_FIELDS_BY_DEFAULT);
        builder.forTypesInGeneral().withCustomDefinitionProvider((t, context) -> JsonNode.class.isAssignableFrom(t.getErasedType())
                ? new CustomDefinition(context.getGeneratorConfig().createObjectNode().put("description", "copied from the run directory"))
                : null);
        ObjectNode schema = new SchemaGenerator(builder.build()).generateSchema(type);
        schema.put("$id", id);
        schema.put("title", title);
        return schema;
    }

    public static String json(Class<?> type, String id, String title) {
        return generate(type, id, title).toPrettyString() + "\n";
    }
}
