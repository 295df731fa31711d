using System.Text.Json.Nodes;
using DiffusionLab.Cli;
using DiffusionLab.IO;
using DiffusionLab.PhotoMaker;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.StoryDiffusion;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Runs;

/// <summary>
/// The shipped-model zoo: export, load by zoo:NAME, list, and every model committed under models/. The tests that set
/// DIFFLAB_MODELS are in this one class, so xunit runs them one after another; none writes into the repository's models/.
/// </summary>
public class ModelZooTests
{
    private static readonly Lazy<string> MnistRun = new(() =>
    {
        var config = TinyRuns.Config("MDTv2-Tiny/4", 4, "Training.EvaluateEvery=2", "Training.CheckpointEvery=2", "Evaluation.NumSamples=10", "Evaluation.BatchSize=10");
        string dir = TinyRuns.TempDir("zoo-mnist");
        using var training = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config));
        training.Train();
        return dir;
    });

    private static T WithModelsDirectory<T>(string directory, Func<T> body)
    {
        string? before = Environment.GetEnvironmentVariable(ModelZoo.DirectoryVariable);
        Environment.SetEnvironmentVariable(ModelZoo.DirectoryVariable, directory);
        try { return body(); }
        finally { Environment.SetEnvironmentVariable(ModelZoo.DirectoryVariable, before); }
    }

    [Fact]
    public void ExportedRunIsBf16WithoutOptimizerStateAndSamplesByNameAsItsCheckpointDoes()
    {
        string run = MnistRun.Value, dir = TinyRuns.TempDir("zoo-export"), models = Path.Combine(dir, "models");
        var export = CliHarness.Difflab("models", "export", run, "--name", "tiny-mnist", "--models-dir", models);
        Assert.True(export.Code == 0, export.Err);
        var shipped = new ModelZoo(models).Find("zoo:tiny-mnist");

        var tensors = SafetensorsFile.Load(shipped.WeightsFile, out var meta);
        Assert.Equal(ShippedWeights.Format, meta["format"]);
        Assert.Equal("ema", meta["weights"]);
        // Floating tensors in bf16; index buffers (relative-position tables) stay integers, narrowed to int16.
        Assert.All(tensors, p => Assert.True(p.Value.dtype is ScalarType.BFloat16 or ScalarType.Int16 or ScalarType.Int64, $"{p.Key}: {p.Value.dtype}"));
        Assert.Contains(tensors.Values, t => t.dtype == ScalarType.BFloat16);
        Assert.All(tensors.Where(p => p.Key.EndsWith("relative_position_index", StringComparison.Ordinal)), p => Assert.Equal(ScalarType.Int16, p.Value.dtype));
        Assert.DoesNotContain(tensors.Keys, k => k.StartsWith("optim.", StringComparison.Ordinal) || k.StartsWith("ema.", StringComparison.Ordinal) || k.StartsWith("rng.", StringComparison.Ordinal));
        using (var source = TrainedModel.Load(run)) Assert.Equal(source.Model.state_dict().Keys.Order(), tensors.Keys.Order());
        Assert.True(File.Exists(shipped.ConfigFile) && !File.Exists(shipped.TokenizerFile));

        var provenance = shipped.Provenance();
        Assert.Equal(4, provenance.Step);
        Assert.Equal(Path.GetFullPath(Path.Combine(run, "checkpoints", TrainingCheckpoint.FileName(4))), provenance.SourceCheckpoint);
        Assert.Equal("class-conditional", provenance.Kind);
        Assert.Equal("MDTv2-Tiny/4", provenance.Preset);
        Assert.StartsWith("difflab models export", provenance.Command);
        Assert.False(string.IsNullOrEmpty(provenance.GitRevision) || string.IsNullOrEmpty(provenance.Device));
        Assert.Equal(4, provenance.Metrics!["step"]);
        Assert.True(provenance.Metrics["fd"] > 0);

        // Loaded by name, it draws what the source checkpoint's EMA weights draw once rounded to bf16.
        using var labels = tensor(new long[] { 0, 3, 7 });
        using var zoo = WithModelsDirectory(models, () => TrainedModel.Load("zoo:tiny-mnist"));
        using var reference = TrainedModel.Load(run);
        using (no_grad())
            foreach (var p in reference.Model.parameters().Concat(reference.Model.buffers()).Where(t => t.is_floating_point()))
                p.copy_(p.to(ScalarType.BFloat16).to(ScalarType.Float32));
        Assert.Equal(4, zoo.Step);
        Assert.Null(zoo.RunDirectory);
        using var fromZoo = new SamplingPipeline(zoo.Model, zoo.Config).Generate(labels, 5);
        using var fromRun = new SamplingPipeline(reference.Model, reference.Config).Generate(labels, 5);
        Assert.True(fromZoo.allclose(fromRun, rtol: 1e-4, atol: 1e-4), $"max difference {(fromZoo - fromRun).abs().max().item<float>()}");

        WithModelsDirectory(models, () =>
        {
            string png = Path.Combine(dir, "grid.png");
            var sample = CliHarness.Difflab("sample", "zoo:tiny-mnist", "--count", "2", "--out", png, "--set", "Sampling.Respacing=ddim2");
            Assert.True(sample.Code == 0, sample.Err);
            Assert.True(new FileInfo(png).Length > 100);

            // A notebook shows a shipped model by its provenance (it has no run folder, no loss curve).
            string card = DiffusionLab.Interactive.NotebookDisplay.ModelHtml("zoo:tiny-mnist");
            Assert.Contains("zoo:tiny-mnist: class-conditional MDTv2-Tiny/4, step 4", card);
            Assert.Contains("difflab models export", card);
            Assert.Contains("the run&#39;s last evaluation", card);

            var list = CliHarness.Difflab("models", "list");
            Assert.True(list.Code == 0, list.Err);
            var line = list.Out.Split('\n').Single(l => l.StartsWith("zoo:tiny-mnist", StringComparison.Ordinal));
            Assert.Contains("class-conditional", line);
            Assert.Contains("MDTv2-Tiny/4", line);
            Assert.Contains(" MB", line);
            Assert.Contains("fd=", line);
            Assert.Contains("total: ", list.Out);
            Assert.DoesNotContain("warning", list.Out);

            var missing = CliHarness.Difflab("sample", "zoo:nope");
            Assert.Equal(2, missing.Code);
            Assert.Single(missing.Err.Trim().Split('\n'));
            Assert.Contains("zoo:nope", missing.Err);
            Assert.Contains("available: zoo:tiny-mnist", missing.Err);

            var raw = CliHarness.Difflab("sample", "zoo:tiny-mnist", "--raw");
            Assert.Equal(2, raw.Code);
            Assert.Contains("EMA weights only", raw.Err);
            return 0;
        });

        var again = CliHarness.Difflab("models", "export", run, "--name", "tiny-mnist", "--models-dir", models);
        Assert.Equal(2, again.Code);
        Assert.Contains("already exists", again.Err);
        var badName = CliHarness.Difflab("models", "export", run, "--name", "Tiny MNIST", "--models-dir", models);
        Assert.Equal(2, badName.Code);
        var reexport = CliHarness.Difflab("models", "export", "zoo:tiny-mnist", "--name", "copy", "--models-dir", models);
        Assert.Equal(2, reexport.Code);
    }

    [Fact]
    public void AJudgedExportRecordsTheShippedWeightsOwnMetricsAndItsSamplingDefaults()
    {
        string run = MnistRun.Value, models = Path.Combine(TinyRuns.TempDir("zoo-judge"), "models");
        var export = CliHarness.Difflab("models", "export", run, "--name", "judged", "--models-dir", models, "--judge",
            "--set", "Sampling.GuidanceScale=2", "--set", "Sampling.Respacing=ddim3", "--set", "Evaluation.NumSamples=10", "--set", "Evaluation.ProbeDigitsPerClass=0");
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("judged: ", export.Out);
        var shipped = new ModelZoo(models).Find("judged");
        var provenance = shipped.Provenance();
        Assert.NotNull(provenance.Judged);
        Assert.InRange(provenance.Judged!["class_accuracy"], 0.0, 1.0);
        Assert.True(provenance.Judged.ContainsKey("fd"));
        Assert.Equal("DDIM ddim3, guidance 2, 10 samples, seed 1234, EMA weights as shipped (bf16)", provenance.JudgedWith);
        // The shipped config samples as it was judged; the run's own config is untouched.
        using (var loaded = TrainedModel.Load(shipped.Directory))
        {
            Assert.Equal(2.0, loaded.Config.Sampling.GuidanceScale);
            Assert.Equal("ddim3", loaded.Config.Sampling.Respacing);
        }
        using (var source = TrainedModel.Load(run)) Assert.Equal(1.0, source.Config.Sampling.GuidanceScale);

        var network = CliHarness.Difflab("models", "export", run, "--name", "other", "--models-dir", models, "--set", "Model.Depth=2");
        Assert.Equal(2, network.Code);
        Assert.Contains("only Sampling.* and Evaluation.* keys", network.Err);
        Assert.False(Directory.Exists(Path.Combine(models, "other")));
    }

    [Fact]
    public void APhotoMakerStageShipsItsOwnWeightsAndNamesItsShippedBase()
    {
        string dir = TinyRuns.TempDir("zoo-photomaker"), models = Path.Combine(dir, "models");
        var noBase = CliHarness.Difflab("models", "export", TinyPhotoMakerRuns.Run.Value, "--name", "tiny-pm", "--models-dir", models);
        Assert.Equal(2, noBase.Code);
        Assert.Contains("--base", noBase.Err);

        var t2i = CliHarness.Difflab("models", "export", TinyPhotoMakerRuns.BaseRun.Value, "--name", "tiny-t2i", "--models-dir", models);
        Assert.True(t2i.Code == 0, t2i.Err);
        // The tiny stage keeps no EMA of its weights: exporting them takes --raw, said so in provenance.
        var noEma = CliHarness.Difflab("models", "export", TinyPhotoMakerRuns.Run.Value, "--name", "tiny-pm", "--base", "zoo:tiny-t2i", "--models-dir", models);
        Assert.Equal(2, noEma.Code);
        Assert.Contains("--raw", noEma.Err);
        var pm = CliHarness.Difflab("models", "export", TinyPhotoMakerRuns.Run.Value, "--name", "tiny-pm", "--base", "zoo:tiny-t2i", "--raw", "--models-dir", models);
        Assert.True(pm.Code == 0, pm.Err);

        var zoo = new ModelZoo(models);
        Assert.True(File.Exists(zoo.Find("tiny-t2i").TokenizerFile));
        var shipped = zoo.Find("tiny-pm");
        Assert.Equal("zoo:tiny-t2i", shipped.Provenance().Base);
        Assert.Equal("raw", shipped.Provenance().Weights);
        Assert.Equal("zoo:tiny-t2i", JsonNode.Parse(File.ReadAllText(shipped.ConfigFile))!["BaseCheckpoint"]!.GetValue<string>());
        var tensors = SafetensorsFile.Load(shipped.WeightsFile);
        Assert.All(tensors, p => Assert.True(p.Value.dtype is ScalarType.BFloat16 or ScalarType.Int16 or ScalarType.Int64, $"{p.Key}: {p.Value.dtype}"));
        Assert.All(tensors.Keys, k => Assert.True(k.StartsWith("id_encoder.", StringComparison.Ordinal) || k.StartsWith("lora.", StringComparison.Ordinal) || k.StartsWith("backbone.", StringComparison.Ordinal), k));

        WithModelsDirectory(models, () =>
        {
            var list = CliHarness.Difflab("models", "list");
            Assert.Contains(list.Out.Split('\n'), l => l.StartsWith("zoo:tiny-pm", StringComparison.Ordinal) && l.Contains("photomaker") && l.Contains("base zoo:tiny-t2i"));
            SamplesAFewSteps(zoo.Find("tiny-pm"));
            SamplesAFewSteps(zoo.Find("tiny-t2i"));
            return 0;
        });
    }

    [Fact]
    public void AMotionStageShipsAsATransitionModelOnItsShippedBaseAndDrawsClipsByName()
    {
        string dir = TinyRuns.TempDir("zoo-motion"), models = Path.Combine(dir, "models");
        var noBase = CliHarness.Difflab("models", "export", TinyMotionRuns.Run.Value, "--name", "tiny-motion", "--models-dir", models);
        Assert.Equal(2, noBase.Code);
        Assert.Contains("motion stage", noBase.Err);
        Assert.Contains("--base", noBase.Err);
        var judged = CliHarness.Difflab("models", "export", TinyMotionRuns.Run.Value, "--name", "tiny-motion", "--base", "zoo:tiny-t2i", "--judge", "--models-dir", models);
        Assert.Equal(2, judged.Code);
        Assert.Contains("difflab study motion", judged.Err);

        var t2i = CliHarness.Difflab("models", "export", TinyPhotoMakerRuns.BaseRun.Value, "--name", "tiny-t2i", "--models-dir", models);
        Assert.True(t2i.Code == 0, t2i.Err);
        var motion = CliHarness.Difflab("models", "export", TinyMotionRuns.Run.Value, "--name", "tiny-motion", "--base", "zoo:tiny-t2i", "--models-dir", models);
        Assert.True(motion.Code == 0, motion.Err);

        var zoo = new ModelZoo(models);
        var shipped = zoo.Find("tiny-motion");
        Assert.Equal(ShippedModelKind.Transition, shipped.Header().Kind);
        Assert.Equal("zoo:tiny-t2i", shipped.Provenance().Base);
        Assert.Equal("ema", shipped.Provenance().Weights);
        Assert.Equal("zoo:tiny-t2i", JsonNode.Parse(File.ReadAllText(shipped.ConfigFile))!["BaseCheckpoint"]!.GetValue<string>());
        // Every weight of the stage ships (the frozen encoder's raw ones beside the EMA of the trained parts), and no backbone weight.
        var tensors = SafetensorsFile.Load(shipped.WeightsFile);
        var trainedKeys = MotionCheckpoint.Load(TrainingCheckpoint.Latest(TinyMotionRuns.Run.Value)!).Weights.Keys.Order(StringComparer.Ordinal);
        Assert.Equal(trainedKeys, tensors.Keys.Order(StringComparer.Ordinal));
        Assert.All(tensors, p => Assert.True(p.Value.dtype is ScalarType.BFloat16 or ScalarType.Int16 or ScalarType.Int64, $"{p.Key}: {p.Value.dtype}"));

        WithModelsDirectory(models, () =>
        {
            var list = CliHarness.Difflab("models", "list");
            Assert.Contains(list.Out.Split('\n'), l => l.StartsWith("zoo:tiny-motion", StringComparison.Ordinal) && l.Contains("transition") && l.Contains("base zoo:tiny-t2i"));
            SamplesAFewSteps(shipped);
            // The shipped model draws the clip its run's checkpoint draws, up to bf16.
            using var fromRun = TransitionPipeline.Load(TinyMotionRuns.Run.Value);
            using var fromZoo = TransitionPipeline.Load(shipped.ZooName);
            using var start = rand(3, fromRun.ImageSize, fromRun.ImageSize) * 2 - 1;
            using var end = rand(3, fromRun.ImageSize, fromRun.ImageSize) * 2 - 1;
            var sampling = fromRun.Model.Config.Sampling with { Steps = 2 };
            using var a = fromRun.Generate(start, end, ["a man"], 0, sampling);
            using var b = fromZoo.Generate(start, end, ["a man"], 0, sampling);
            Assert.True((a - b).abs().max().item<float>() < 0.1f, $"shipped and run clips differ by {(a - b).abs().max().item<float>()}");
            return 0;
        });
    }

    [Fact]
    public void AStageTrainsOnAShippedBaseAndRecordsItsZooName()
    {
        string dir = TinyRuns.TempDir("zoo-stage"), models = Path.Combine(dir, "models");
        var t2i = CliHarness.Difflab("models", "export", TinyPhotoMakerRuns.BaseRun.Value, "--name", "tiny-t2i", "--models-dir", models);
        Assert.True(t2i.Code == 0, t2i.Err);
        string config = Path.Combine(dir, "pm.json"), run = Path.Combine(dir, "pm");
        File.WriteAllText(config, TinyPhotoMakerRuns.ConfigFileJson("zoo:tiny-t2i", steps: 2));
        WithModelsDirectory(models, () =>
        {
            var first = CliHarness.Difflab("train", config, "--out", run, "--set", "Training.Steps=1");
            Assert.True(first.Code == 0, first.Err);
            var checkpoint = PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(run)!);
            Assert.Equal("zoo:tiny-t2i", checkpoint.BaseCheckpoint); // portable: resolves in any checkout
            var resumed = CliHarness.Difflab("train", config, "--out", run);
            Assert.True(resumed.Code == 0, resumed.Err);
            Assert.Equal(2, PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(run)!).Step);
            var pm = CliHarness.Difflab("models", "export", run, "--name", "tiny-pm", "--base", "zoo:tiny-t2i", "--raw");
            Assert.True(pm.Code == 0, pm.Err);
            SamplesAFewSteps(new ModelZoo(models).Find("tiny-pm"));
            return 0;
        });
    }

    /// <summary>Whatever is committed under models/ loads and samples; empty until the first model ships.</summary>
    [Fact]
    public void EveryShippedModelLoadsAndSamples()
    {
        string? models = ModelZoo.RepositoryDirectory();
        Assert.NotNull(models);
        Assert.True(File.Exists(Path.Combine(models, "README.md")), $"{models}: expected the zoo's README");
        var zoo = new ModelZoo(models);
        Assert.True(zoo.TotalBytes() <= ModelZoo.BudgetBytes, $"the shipped models take {zoo.TotalBytes()} bytes, over the {ModelZoo.BudgetBytes} budget");
        // A PhotoMaker stage's base is a zoo name: resolve it in the same folder.
        WithModelsDirectory(models, () =>
        {
            foreach (var model in zoo.Models()) SamplesAFewSteps(model);
            return 0;
        });
    }

    private static void SamplesAFewSteps(ShippedModel model)
    {
        var header = model.Header();
        Assert.NotNull(model.Provenance());
        if (header.Kind == ShippedModelKind.Transition)
        {
            using var transitions = TransitionPipeline.Load(model.ZooName);
            using var keyframes = rand(2, 3, transitions.ImageSize, transitions.ImageSize) * 2 - 1;
            using var clip = transitions.Generate(keyframes[0], keyframes[1], ["a man"], 0, transitions.Model.Config.Sampling with { Steps = 2 });
            Assert.Equal(new long[] { 1, transitions.Frames, 3, transitions.ImageSize, transitions.ImageSize }, clip.shape);
            Assert.True(clip.isfinite().all().item<bool>(), $"{model.ZooName}: non-finite pixels");
            return;
        }
        if (header.Kind == ShippedModelKind.PhotoMaker)
        {
            using var pipeline = PhotoMakerPipeline.Load(model.ZooName);
            using var images = rand(2, 3, pipeline.ImageSize, pipeline.ImageSize);
            using var references = new ReferenceStack(images);
            var sampling = pipeline.Model.Config.Sampling with { Steps = 2 };
            using var drawn = pipeline.Generate($"a man {sampling.Trigger}", references, [0], sampling);
            Assert.Equal(new long[] { 1, 3, pipeline.ImageSize, pipeline.ImageSize }, drawn.shape);
            Assert.True(drawn.isfinite().all().item<bool>(), $"{model.ZooName}: non-finite pixels");
            return;
        }
        using var trained = TrainedModel.Load(model.ZooName, ["Sampling.Respacing=ddim3"]);
        using var conditions = trained.Tokenizer is { } tokenizer
            ? tokenizer.EncodeBatch(["a man", "a woman"], trained.Config.Model.TextMaxLength)
            : tensor(new long[] { 0, 1 });
        using var samples = new SamplingPipeline(trained.Model, trained.Config).Generate(conditions, 0);
        Assert.Equal(2, samples.shape[0]);
        Assert.True(samples.isfinite().all().item<bool>(), $"{model.ZooName}: non-finite pixels");
    }
}
