using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Evaluation.World;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Studies;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Studies;

/// <summary>
/// The PhotoMaker study: the committed spec's smoke scale end to end on tiny models made here (a 64×64 base, because
/// the judges read 64×64; tiny image encoder and LoRA; random-weight judges), the spec's errors, and resume.
/// </summary>
public class PhotoMakerStudyTests
{
    private const string BaseJson = """
        {
          "Model": { "Preset": "MDTv2-T2I-Tiny/4", "InputSize": 16, "HiddenSize": 64, "Depth": 4, "NumHeads": 2, "TextWidth": 16, "TextDepth": 1, "TextHeads": 2 },
          "Data": { "Dataset": "characterworld", "WorldIdentities": 12, "WorldHeldOutIdentities": 3, "ImagesPerIdentity": 6 },
          "Optimizer": { "LearningRate": 0.001 },
          "Training": { "Steps": 2, "BatchSize": 2, "EmaDecay": 0.9, "LogEvery": 1, "SampleEvery": 1000, "CheckpointEvery": 1 },
          "Sampling": { "Sampler": "ddim", "Respacing": "ddim2", "GridSamples": 2 }
        }
        """;

    /// <summary>
    /// A 64×64 text-to-image run one step in, trained once per test process. It stops before its last step, whose
    /// run evaluation needs the judges embedded in the library, which the study does not (it takes a weight folder).
    /// </summary>
    private static readonly Lazy<string> BaseRun = new(() =>
    {
        var config = TrainConfigLoader.FromJson(JsonNode.Parse(BaseJson)!.AsObject(), "base64.json");
        string dir = TinyRuns.TempDir("pm-study-base");
        using var trainer = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config));
        trainer.Train(stopAfter: 1);
        return dir;
    });

    /// <summary>The three judges with random weights: the numbers mean nothing, the plumbing is what is tested.</summary>
    private static readonly Lazy<string> Judges = new(() =>
    {
        string dir = TinyRuns.TempDir("pm-study-judges");
        using (var m = new IdentityEmbedder()) m.SaveWeights(Path.Combine(dir, CharacterWorldEvaluator.IdentityWeightsFile));
        using (var m = new FactorClassifier()) m.SaveWeights(Path.Combine(dir, CharacterWorldEvaluator.FactorWeightsFile));
        using (var m = new StructureChecker()) m.SaveWeights(Path.Combine(dir, CharacterWorldEvaluator.StructureWeightsFile));
        return dir;
    });

    private static string Committed(string file) => Path.Combine(NotebookRuns.RepositoryRoot(), "experiments", "photomaker-characterworld", file);

    /// <summary>A study folder: the committed photomaker-study.json beside tiny configs of the same names on the tiny base.</summary>
    private static string StudyFolder(string name, int loraRank = 2)
    {
        string dir = Path.Combine(TinyRuns.TempDir(name), "photomaker-characterworld");
        Directory.CreateDirectory(dir);
        File.Copy(Committed(PhotoMakerStudySpec.FileName), Path.Combine(dir, PhotoMakerStudySpec.FileName));
        string Stage(string extra) => $$"""
            { "Stage": "photomaker", "BaseCheckpoint": "{{BaseRun.Value}}", "Training": { "Steps": 2000 },
              "PhotoMaker": { {{extra}} "ImageEncoder": { "ImageSize": 16, "PatchSize": 4, "Width": 16, "Depth": 1, "Heads": 2 }, "LoraRank": {{loraRank}}, "LoraAlpha": 2 } }
            """;
        File.WriteAllText(Path.Combine(dir, "photomaker.json"), Stage(""));
        File.WriteAllText(Path.Combine(dir, "average.json"), Stage("\"IdEmbedding\": \"Average\","));
        File.WriteAllText(Path.Combine(dir, "single-image.json"), Stage("\"References\": \"SingleImage\","));
        File.WriteAllText(Path.Combine(dir, "dreambooth.json"), """{ "Stage": "dreambooth", "Training": { "Steps": 400 }, "DreamBooth": { "LoraRank": 2, "LoraAlpha": 2 } }""");
        return dir;
    }

    [Fact]
    public void TheSmokeScaleRunsEndToEndAndReportsEveryMethodAndMetric()
    {
        string study = StudyFolder("pm-study-e2e");
        string root = Path.GetDirectoryName(study)!, runs = Path.Combine(root, "runs"), results = Path.Combine(root, "results");
        var (code, output, err) = CliHarness.Difflab("study", "photomaker", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", results,
            "--judges", Judges.Value);
        Assert.True(code == 0, $"exit {code}\n{err}\n{output}");

        var spec = PhotoMakerStudySpec.Load(study, "smoke");
        string[] methods = [PhotoMakerStudy.TextOnlyLabel, "PhotoMaker (stacked)", "average (Tab. 2a)", "single image (Tab. 2b)", "DreamBooth (Lora, 2 steps)"];
        foreach (var file in new[] { "README.md", "metrics.csv", "table.html", "spec.json", "samples/mixing.png", "samples/degraded.png" })
            Assert.True(File.Exists(Path.Combine(results, file)), file);
        foreach (var method in methods)
            Assert.True(File.Exists(Path.Combine(results, "samples", PhotoMakerStudyReport.Slug(method) + ".png")), method);

        string table = File.ReadAllText(Path.Combine(results, "table.html"));
        foreach (var method in methods) Assert.Contains($"<td>{System.Net.WebUtility.HtmlEncode(method)}</td>", table);
        foreach (var metric in PhotoMakerStudyReport.TableMetrics) Assert.Contains($"<th>{System.Net.WebUtility.HtmlEncode(metric)}</th>", table);

        // One row per generated image: main = 5 methods × 2 people × 2 prompts × 2 seeds; the side experiments on 1 prompt.
        var lines = File.ReadAllLines(Path.Combine(results, "metrics.csv"));
        var count = lines.Skip(1).GroupBy(l => l.Split(',')[0]).ToDictionary(g => g.Key, g => g.Count());
        int people = spec.People, seeds = spec.Seeds.Length;
        Assert.Equal(methods.Length * people * spec.UsedPrompts.Count * seeds, count[PhotoMakerStudy.Main]);
        Assert.Equal(spec.ReferenceCurve.Length * people * seeds, count[PhotoMakerStudy.ReferenceCurve]);
        Assert.Equal(spec.Degradations.Count * people * seeds, count[PhotoMakerStudy.Degraded]);
        Assert.Equal(spec.MixWeights.Length * spec.MixPairs * seeds, count[PhotoMakerStudy.Mixing]);
        Assert.Equal(spec.DreamBoothCheckpoints.Length * people * seeds, count[PhotoMakerStudy.DreamBoothSteps]);

        string readme = File.ReadAllText(Path.Combine(results, "README.md"));
        foreach (var part in new[] { "difflab study photomaker", "git revision", "## Tab. 1", "## Tab. 2", "## (a)", "## (b)", "## (c)", "## (d)", "## Reading", "Stacking vs averaging", "peak memory MB" })
            Assert.Contains(part, readme);
        Assert.Equal(3, output.Split('\n').Count(l => l.Contains("training 2 steps")));
    }

    [Fact]
    public void TrainingSkipsFinishedVariantsResumesAnInterruptedOneAndRefusesAChangedConfig()
    {
        string study = StudyFolder("pm-study-resume");
        string runs = Path.Combine(Path.GetDirectoryName(study)!, "runs");
        var spec = PhotoMakerStudySpec.Load(study, "smoke");
        var first = new PhotoMakerStudy(spec, CPU, runs, TextWriter.Null, judgesFolder: Judges.Value);
        var (average, config) = first.Variants[1];
        using (var trainer = new PhotoMakerTrainer(config, first.Folder(average), CPU, new TrainingProgress(TextWriter.Null, false, config.Steps, 0, 1)))
            trainer.Train(stopAfter: 1);

        var log = new StringWriter();
        new PhotoMakerStudy(spec, CPU, runs, log, judgesFolder: Judges.Value).TrainVariants();
        Assert.Contains("average: resuming at step 1 of 2", log.ToString());
        Assert.Equal(2, log.ToString().Split('\n').Count(l => l.Contains("training 2 steps")));
        Assert.All(first.Variants, v => Assert.Equal(2, PhotoMakerStudy.TrainedSteps(first.Folder(v.Variant))));

        log = new StringWriter();
        new PhotoMakerStudy(spec, CPU, runs, log, judgesFolder: Judges.Value).TrainVariants();
        Assert.Equal(3, log.ToString().Split('\n').Count(l => l.Contains("finished at step 2, skipped")));

        File.WriteAllText(Path.Combine(study, "photomaker.json"), File.ReadAllText(Path.Combine(study, "photomaker.json")).Replace("\"LoraRank\": 2", "\"LoraRank\": 3"));
        var changed = new PhotoMakerStudy(PhotoMakerStudySpec.Load(study, "smoke"), CPU, runs, TextWriter.Null, judgesFolder: Judges.Value);
        var e = Assert.Throws<ConfigException>(() => changed.TrainVariants());
        Assert.Contains("finished with a different config", e.Message);
    }

    [Fact]
    public void TheCommittedSpecLoadsAtEveryScale()
    {
        var full = PhotoMakerStudySpec.Load(Path.GetDirectoryName(Committed(PhotoMakerStudySpec.FileName))!);
        Assert.Equal(10, full.People);
        Assert.Equal(6, full.UsedPrompts.Count);
        Assert.Equal(50, full.Sampling.Steps);
        Assert.Equal([0.1, 0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0], full.MixWeights);
        Assert.Equal(["stacked", "average", "single-image"], full.Variants.Select(v => v.Name));
        Assert.Equal("a photo of a {class} in a red shirt wearing a crown, smiling, on the beach", full.UsedPrompts[0].Pattern);
        var smoke = PhotoMakerStudySpec.Load(Path.GetDirectoryName(Committed(PhotoMakerStudySpec.FileName))!, "smoke");
        Assert.Equal((2, 2, 4), (smoke.People, smoke.UsedPrompts.Count, smoke.Sampling.Steps));
        Assert.Equal(["Training.Steps=2", "Training.BatchSize=2", "Training.LogEvery=1", "Training.CheckpointEvery=1", "Training.SampleEvery=2", "PhotoMaker.SampleIdentities=1", "Sampling.Steps=4"], smoke.ScaleOverrides.PhotoMaker);
        var longer = PhotoMakerStudySpec.Load(Path.GetDirectoryName(Committed(PhotoMakerStudySpec.FileName))!, "long");
        Assert.Equal(["stacked"], longer.Variants.Select(v => v.Name));
        Assert.Equal([1, 4], longer.ReferenceCurve);
        Assert.Empty(longer.Degradations);
        Assert.Equal(["Training.Steps=6000"], longer.ScaleOverrides.PhotoMaker);
        var pretrained = PhotoMakerStudySpec.Load(Path.GetDirectoryName(Committed(PhotoMakerStudySpec.FileName))!, "pretrained");
        Assert.Equal(full.Variants.Select(v => (v.Name, v.Config)), pretrained.Variants.Select(v => (v.Name, v.Config)));
        Assert.Equal(["PhotoMaker.EncoderPretrainSteps=1000"], pretrained.ScaleOverrides.PhotoMaker);
        var lowLr = PhotoMakerStudySpec.Load(Path.GetDirectoryName(Committed(PhotoMakerStudySpec.FileName))!, "pretrained-lowlr");
        Assert.Equal(["stacked"], lowLr.Variants.Select(v => v.Name));
        Assert.Equal(["PhotoMaker.EncoderPretrainSteps=1000", "PhotoMaker.EncoderLearningRate=1e-5"], lowLr.ScaleOverrides.PhotoMaker);
        Assert.Equal((full.People, full.UsedPrompts.Count, full.Sampling.Steps), (longer.People, longer.UsedPrompts.Count, longer.Sampling.Steps));
    }

    [Theory]
    [InlineData("\"People\": 10,", "\"People\": 0,", "key 'People': 0")]
    [InlineData("\"People\": 10,", "\"Persons\": 10,", "unknown key 'Persons'")]
    [InlineData("\"Headwear\": \"Crown\"", "\"Headwear\": \"Helmet\"", "key 'Prompts[0].Headwear'")]
    [InlineData("\"ReferenceCurve\": [1, 2, 3, 4]", "\"ReferenceCurve\": [1, 5]", "key 'ReferenceCurve'")]
    [InlineData("\"BlurSigma\": 1.5", "\"BlurSigma\": -1", "key 'Degradations.blur'")]
    [InlineData("\"Config\": \"average.json\"", "\"Config\": \"missing.json\"", "config")]
    [InlineData("\"Seeds\": [0, 1]", "\"Seeds\": [1, 1]", "key 'Seeds'")]
    [InlineData("\"MixPairs\": 2", "\"MixPairs\": 11", "key 'MixPairs'")]
    public void SpecErrorsNameTheKey(string find, string replace, string expected)
    {
        string study = StudyFolder("pm-study-bad");
        string path = Path.Combine(study, PhotoMakerStudySpec.FileName);
        string text = File.ReadAllText(path);
        Assert.Contains(find, text);
        File.WriteAllText(path, text.Replace(find, replace));
        var e = Assert.Throws<ConfigException>(() => PhotoMakerStudySpec.Load(study));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BadStudiesStopWithOneLineBeforeAnyTraining()
    {
        string study = StudyFolder("pm-study-bad-cli");
        var (code, _, err) = CliHarness.Difflab("study", "photomaker", study, "--scale", "huge", "--judges", Judges.Value);
        Assert.Equal(2, code);
        Assert.Contains("scale 'huge' unknown; expected one of full, pretrained, pretrained-lowlr, long, smoke", err);

        (code, _, err) = CliHarness.Difflab("study", "photomaker", Path.GetDirectoryName(study)!, "--judges", Judges.Value);
        Assert.Equal(2, code);
        Assert.Contains("no photomaker-study.json in it", err);

        (code, _, err) = CliHarness.Difflab("study", "photomaker", study, "--judges", Path.GetDirectoryName(study)!);
        Assert.Equal(2, code);
        Assert.Contains("no world-identity.safetensors in it", err);

        // DreamBooth's snapshot steps must lie before its last step (400 at full scale: 100 and 200 do; 2 at smoke: 1 does).
        File.WriteAllText(Path.Combine(study, "dreambooth.json"), """{ "Stage": "dreambooth", "Training": { "Steps": 150 } }""");
        var e = Assert.Throws<ConfigException>(() => new PhotoMakerStudy(PhotoMakerStudySpec.Load(study), CPU, "runs", TextWriter.Null, judgesFolder: Judges.Value));
        Assert.Contains("key 'DreamBoothCheckpoints': step 200, expected below DreamBooth's Steps=150", e.Message);

        File.WriteAllText(Path.Combine(study, "average.json"), File.ReadAllText(Path.Combine(study, "photomaker.json")));
        e = Assert.Throws<ConfigException>(() => new PhotoMakerStudy(PhotoMakerStudySpec.Load(study, "smoke"), CPU, "runs", TextWriter.Null, judgesFolder: Judges.Value));
        Assert.Contains("expected exactly one PhotoMaker config with stacked ID tokens", e.Message);
    }
}
