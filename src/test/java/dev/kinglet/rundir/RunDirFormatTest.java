package dev.kinglet.rundir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import dev.kinglet.dsl.AllImages;
import dev.kinglet.dsl.Fraction;
import dev.kinglet.dsl.PerClass;

/** The run directory's typed files: job ids printed and parsed in one place, plan.json read and written both ways and valid against its schema. */
class RunDirFormatTest {
    @TempDir Path tmp;

    @Test
    void jobIdsRoundTripAlsoWithDotsInVariantsAndFractions() {
        for (String id : List.of("base.all.f0.s0.m0", "steps-augment.perClass10.f2.s4.m1", "v1.2.fraction0.25.f0.s1.m3", "a.all.all.f1.s0.m0", "x.fraction1.0E-4.f0.s0.m0")) {
            assertThat(JobId.parse(id).toString()).isEqualTo(id);
        }
        assertThat(JobId.parse("v1.2.fraction0.25.f0.s1.m3")).isEqualTo(new JobId("v1.2", "fraction0.25", 0, 1, 3));
        assertThat(JobId.parse("base.perClass10.f0.s2.m4").ensemble()).isEqualTo("base.perClass10.f0.s2");
        assertThatThrownBy(() -> JobId.parse("base.all.f0.s0")).hasMessageContaining("<variant>.<point>.f<fold>.s<seed>.m<member>");
        assertThatThrownBy(() -> JobId.parse("base.some.f0.s0.m0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void planFileRoundTripsAndMatchesItsSchema() throws IOException {
        Job a = new Job(new JobId("base", "all", 0, 0, 0), new AllImages(), 1, 2, 3);
        Job b = new Job(new JobId("cosine", "perClass10", 1, 0, 2), new PerClass(10), 4, 5, 6);
        Job c = new Job(new JobId("v", "fraction0.5", 0, 0, 0), new Fraction(0.5), 7, 8, 9);
        PlanFile plan = PlanFile.of("3 jobs", List.of(a, b, c), Map.of(a.id(), JobResult.classified(a.id(), 0.75, 0.6, 12.5),
                b.id(), JobResult.failed(b.id(), "NaN loss")));
        plan.write(tmp);
        PlanFile back = PlanFile.read(tmp);
        assertThat(back).isEqualTo(plan);
        assertThat(back.jobs()).extracting(PlanFile.Entry::state).containsExactly(JobState.DONE, JobState.FAILED, JobState.PENDING);
        assertThat(Files.readString(tmp.resolve(PlanFile.FILE))).contains("\"state\" : \"done\"", "\"state\" : \"pending\"");
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(Files.readString(tmp.resolve(PlanFile.SCHEMA)), InputFormat.JSON);
        assertThat(schema.validate(Files.readString(tmp.resolve(PlanFile.FILE)), InputFormat.JSON)).isEmpty();
        // an outcome recorded by the job's own process wins over plan.json's pending
        RunFiles.writeOutcome(RunFiles.jobDir(tmp, c.id()), JobResult.classified(c.id(), 0.5, 1.0, 2.0));
        assertThat(back.recorded(tmp)).extracting(JobResult::state).containsExactly(JobState.DONE, JobState.FAILED, JobState.DONE);
    }

    @Test
    void aDamagedPlanFileIsNamed() throws IOException {
        Files.writeString(tmp.resolve(PlanFile.FILE), "{\"summary\": \"x\", \"jobs\": [{\"id\": \"base.all.f0.s0.m0\", \"state\": \"finished\"}]}");
        assertThatThrownBy(() -> PlanFile.read(tmp)).hasMessageContaining(tmp.resolve(PlanFile.FILE).toString()).hasMessageContaining("plan.schema.json");
    }
}
