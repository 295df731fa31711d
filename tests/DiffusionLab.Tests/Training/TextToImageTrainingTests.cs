using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

/// <summary>Text-to-image runs on CharacterWorld: data, tokenizer, resume, sampling from prompts.</summary>
public class TextToImageTrainingTests
{
    internal const string Json = """
        {
          "Model": { "Preset": "MDTv2-T2I-Tiny/4", "InputSize": 16, "HiddenSize": 64, "Depth": 4, "NumHeads": 2, "TextWidth": 16, "TextDepth": 1, "TextHeads": 2 },
          "Data": { "Dataset": "characterworld", "WorldIdentities": 12, "WorldHeldOutIdentities": 3, "ImagesPerIdentity": 4 },
          "Optimizer": { "LearningRate": 0.001 },
          "Training": { "Steps": 4, "BatchSize": 4, "EmaDecay": 0.9, "LogEvery": 1, "SampleEvery": 4, "CheckpointEvery": 2 },
          "Sampling": { "Sampler": "ddim", "Respacing": "ddim3", "GuidanceScale": 3.0, "GridSamples": 3 },
          "Evaluation": { "NumSamples": 8, "BatchSize": 8 }
        }
        """;

    internal static TrainConfig Config(params string[] overrides) => TrainConfigLoader.FromJson(JsonNode.Parse(Json)!.AsObject(), "t2i.json", overrides);

    [Fact]
    public void TheTextPresetTakesTheWorldsVocabularyAndRefusesClassLabelData()
    {
        var config = Config();
        Assert.Equal(new WordTokenizer(WorldWords.Vocabulary).VocabSize, config.Model.TextVocabSize);
        var e = Assert.Throws<ConfigException>(() => Config("Data.Dataset=mnist10k"));
        Assert.Contains("'Data.Dataset': 'mnist10k' has class labels but Model.Conditioning is Text", e.Message);
        e = Assert.Throws<ConfigException>(() => TinyRuns.Config("MDTv2-Tiny/4", 4, "Data.Dataset=characterworld"));
        Assert.Contains("has captions but Model.Conditioning is ClassLabel", e.Message);
    }

    [Fact]
    public void HeldOutPeopleNeverReachATrainingBatch()
    {
        var config = Config();
        using var data = DatasetLoader.Load(config.Data, config.Model);
        var set = Assert.IsType<CaptionedTrainingSet>(data.Set);
        Assert.Equal(12 * 4, set.Count);
        Assert.All(Enumerable.Range(0, set.Count), i => Assert.InRange(set.Dataset.IdentityOf(i), 0, 11));
        var (images, ids) = set.Batch(tensor(new long[] { 0, 47 }));
        Assert.Equal(new long[] { 2, 3, 16, 16 }, images.shape);
        Assert.Equal(new long[] { 2, config.Model.TextMaxLength }, ids.shape);
        Assert.Equal(3, data.SamplePrompts.Count); // one per held-out person
    }

    [Fact]
    public void ARunResumesExactlyAndSamplesFromPrompts()
    {
        var config = Config();
        string straight = TinyRuns.TempDir("t2i-straight"), resumed = TinyRuns.TempDir("t2i-resumed");
        Dictionary<string, Tensor> a, b;
        using (var t = new DenoiserTraining(config, straight, CPU, TinyRuns.Quiet(config)))
        {
            t.Train();
            a = t.Model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        }
        using (var t = new DenoiserTraining(config, resumed, CPU, TinyRuns.Quiet(config))) t.Train(stopAfter: 2);
        using (var t = new DenoiserTraining(config, resumed, CPU, TinyRuns.Quiet(config)))
        {
            t.Train();
            b = t.Model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
            Assert.Equal(3, t.SamplePrompts(12).Distinct().Count());          // one per held-out person
            Assert.Single(t.SamplePrompts(4).Distinct());                   // a row of the grid per prompt
        }
        foreach (var (key, value) in a) Assert.True(value.equal(b[key]).all().item<bool>(), $"weights differ after resume: {key}");
        var run = new RunFolder(straight);
        Assert.Equal(new WordTokenizer(WorldWords.Vocabulary), WordTokenizer.Load(run.TokenizerFile));
        Assert.True(File.Exists(run.SampleGrid(4)));
        Assert.Single(File.ReadAllLines(Path.ChangeExtension(run.SampleGrid(4), ".txt")));    // 3 samples: one row

        string output = Path.Combine(straight, "prompted.png");
        var (code, stdout, stderr) = NotebookRuns.Difflab("sample", straight, "--prompt", "a photo of a girl wearing a crown , smiling , on the beach", "--count", "2", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote 2 samples", stdout);
        Assert.True(File.Exists(output));
        (code, _, stderr) = NotebookRuns.Difflab("sample", straight, "--prompt", "a photo of a dragon");
        Assert.Equal(2, code);
        Assert.Contains("unknown word(s) 'dragon'", stderr);
        (code, _, stderr) = NotebookRuns.Difflab("sample", straight, "--labels", "1,2");
        Assert.Equal(2, code);
    }
}
