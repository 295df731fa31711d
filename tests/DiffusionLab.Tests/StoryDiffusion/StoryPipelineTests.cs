using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.Models;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.StoryDiffusion;

/// <summary>A story through the pipeline: reference panels write banks, the others read them, [NC] panels are plain; and `difflab story`.</summary>
public class StoryPipelineTests
{
    private const string Text = """
        [Lily] a girl wearing a crown
        [Tom] a boy with a cap

        [Lily] smiling , on the beach #one
        [Tom] sad , in the city #two
        [Lily] angry , in the forest #three
        [NC] a photo of the beach #four
        [Lily] surprised , in a room #five
        """;

    private static (MaskedDiffusionTransformer Net, WordTokenizer Tokenizer) Model()
    {
        var tokenizer = new WordTokenizer(DiffusionLab.Data.World.WorldWords.Vocabulary);
        torch.manual_seed(4);
        var net = new MaskedDiffusionTransformer(TextConditioningTests.Tiny with { TextVocabSize = tokenizer.VocabSize, TextMaxLength = 16 });
        using (no_grad()) foreach (var p in net.parameters()) if (p.requires_grad) p.normal_(0, 0.1);
        net.eval();
        return (net, tokenizer);
    }

    private static StoryPipeline Pipeline(MaskedDiffusionTransformer net, WordTokenizer tokenizer) =>
        new(new ConsistentStorySampler(new SamplingPipeline(net, BetaSchedule.Linear(1000), new SamplingSection { Sampler = SamplerKind.Ddim, Respacing = "ddim3", GuidanceScale = 3.0 }),
            new ConsistentAttentionConfig { Schedule = ConsistentAttentionSchedule.Always }), tokenizer, 16);

    [Fact]
    public void ReferencesWriteBanksOtherPanelsReadAndNoCharacterPanelsArePlain()
    {
        var (net, tokenizer) = Model();
        using var _ = net;
        var story = StoryParser.Parse(Text, "test.story");
        var pipeline = Pipeline(net, tokenizer);
        using var consistent = pipeline.Generate(story, new StoryRenderOptions { ReferencePanels = 2 });
        Assert.Equal(new long[] { 5, 3, 16, 16 }, consistent.Panels.shape);
        Assert.Equal([0, 2], consistent.ReferencePanels["Lily"]);
        Assert.Equal([1], consistent.ReferencePanels["Tom"]);
        Assert.Equal(["Lily", "Tom"], consistent.Banks.Keys.Order());

        using var plain = pipeline.Generate(story, new StoryRenderOptions { ReferencePanels = 2, Consistent = false });
        Assert.True(consistent.Panels[3].eq(plain.Panels[3]).all().item<bool>());         // [NC]: plain either way
        Assert.False(consistent.Panels[4].allclose(plain.Panels[4], rtol: 1e-4, atol: 1e-5)); // reads Lily's bank
        Assert.False(consistent.Panels[0].allclose(plain.Panels[0], rtol: 1e-4, atol: 1e-5)); // mutual with panel 2

        // A character file replaces the reference panels: all of Lily's panels then read it.
        using var reread = pipeline.Generate(story, new StoryRenderOptions(), new Dictionary<string, CharacterBank> { ["Lily"] = consistent.Banks["Lily"] });
        Assert.False(reread.ReferencePanels.ContainsKey("Lily"));
        Assert.True(reread.Panels[4].allclose(consistent.Panels[4], rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void UnknownWordsAreNamedWithTheirLine()
    {
        var (net, tokenizer) = Model();
        using var _ = net;
        var story = StoryParser.Parse(Text.Replace("in the forest", "in the jungle"), "test.story");
        var e = Assert.Throws<ArgumentException>(() => Pipeline(net, tokenizer).Generate(story, new StoryRenderOptions()));
        Assert.Contains("line 6", e.Message);
        Assert.Contains("'jungle'", e.Message);
    }

    [Fact]
    public void DifflabStoryRendersAComicFromARun()
    {
        var config = TextToImageTrainingTests.Config("Training.Steps=1", "Training.SampleEvery=1", "Training.CheckpointEvery=1");
        string dir = TinyRuns.TempDir("story-run");
        using (var t = new DenoiserTraining(config, Path.Combine(dir, "run"), CPU, TinyRuns.Quiet(config))) t.Train();
        string storyFile = Path.Combine(dir, "s.story");
        File.WriteAllText(storyFile, Text);
        string comic = Path.Combine(dir, "comic.png");
        var (code, stdout, stderr) = NotebookRuns.Difflab("story", storyFile, "--run", Path.Combine(dir, "run"), "--out", comic, "--steps", "2", "--layout", "four-panel", "--save-banks", Path.Combine(dir, "banks"));
        Assert.True(code == 0, stderr);
        Assert.Contains("5 panels (consistent self-attention", stdout);
        Assert.True(File.Exists(Path.Combine(dir, "comic-1.png")) && File.Exists(Path.Combine(dir, "comic-2.png")));
        Assert.True(File.Exists(Path.Combine(dir, "banks", "Lily.safetensors")));

        (code, _, stderr) = NotebookRuns.Difflab("story", storyFile, "--run", Path.Combine(dir, "run"), "--out", comic, "--layout", "manga");
        Assert.Equal(2, code);
        Assert.Contains("--layout 'manga'", stderr);
        File.WriteAllText(storyFile, "[Lily] a girl\n\n[Bob] smiling");
        (code, _, stderr) = NotebookRuns.Difflab("story", storyFile, "--run", Path.Combine(dir, "run"), "--out", comic);
        Assert.Equal(2, code);
        Assert.Contains("Bob", stderr);
    }
}
