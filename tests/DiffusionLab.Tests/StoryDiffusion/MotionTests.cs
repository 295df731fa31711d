using System.Text.Json.Nodes;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.Training;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.StoryDiffusion;

/// <summary>StoryDiffusion's transition stage: the clip generator's identity start, the predictor's shapes, exact resume, loading for sampling.</summary>
public class MotionTests
{
    private static MaskedDiffusionTransformer TinyBackbone()
    {
        var config = TextToImageTrainingTests.Config().Model;
        manual_seed(3);
        var backbone = new MaskedDiffusionTransformer(config);
        // A fresh MDT is the identity in every block and draws zeros (adaLN-Zero, zero cross-attention output, zero final
        // layer): every weight is moved off its initial value so the network computes something worth comparing.
        using (no_grad()) foreach (var p in backbone.parameters()) p.add_(randn(p.shape, generator: new Generator(4)) * 0.05);
        return backbone;
    }

    private static TextEmbedding Text(MaskedDiffusionTransformer backbone, int rows)
    {
        var ids = NullPrompt.Ids(rows, backbone.Config.TextMaxLength);
        ids[.., 1] = 7; // one word, then EOS
        ids[.., 2] = WordTokenizer.EosId;
        return backbone.EncodeText(ids);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void FreshTemporalLayersLeaveEveryFrameAsTheImageModelDrawsIt(int frames)
    {
        using var backbone = TinyBackbone();
        using var clip = new ClipGenerator(backbone, embeddingWidth: 16);
        clip.eval();
        using var _ = no_grad();
        var x = randn(2 * frames, 3, 16, 16, generator: new Generator(1));
        var t = tensor(Enumerable.Range(0, 2 * frames).Select(i => (long)(100 * i)).ToArray());
        using var text = Text(backbone, 2 * frames);
        var image = backbone.Forward(x, t, text);
        var video = clip.Forward(x, t, text, null, null, frames);
        Assert.Equal(image.shape, video.shape);
        Assert.True(image.equal(video).all().item<bool>(), $"max difference {(image - video).abs().max().item<float>()}");

        // Hidden keyframe tokens change nothing either (the unconditional pass and the text-only mode).
        var keyframes = randn(2 * frames, 5, 16, generator: new Generator(2));
        var hidden = clip.Forward(x, t, text, keyframes, zeros(2 * frames, dtype: ScalarType.Bool), frames);
        Assert.True((hidden - image).abs().max().item<float>() <= 1e-6f);
        // Shown, they do: the frames read them through cross-attention.
        var shown = clip.Forward(x, t, text, keyframes, ones(2 * frames, dtype: ScalarType.Bool), frames);
        Assert.True((shown - image).abs().max().item<float>() > 1e-6f);
    }

    [Fact]
    public void TrainedTemporalLayersMixTheFramesOfAClipButNotOfTwoClips()
    {
        using var backbone = TinyBackbone();
        using var clip = new ClipGenerator(backbone, embeddingWidth: 16);
        using (no_grad()) foreach (var (name, p) in clip.named_parameters().Where(p => p.name.Contains("proj_out"))) p.normal_(0, 0.1);
        clip.eval();
        using var _ = no_grad();
        var x = randn(6, 3, 16, 16, generator: new Generator(1));
        var t = full(6, 500L, dtype: ScalarType.Int64);
        using var text = Text(backbone, 6);
        var before = clip.Forward(x, t, text, null, null, 3);
        var changed = x.clone();
        changed[0] = randn(3, 16, 16, generator: new Generator(9));
        var after = clip.Forward(changed, t, text, null, null, 3);
        Assert.True((after[1] - before[1]).abs().max().item<float>() > 1e-6f, "frame 1 of clip 0 should see frame 0");
        Assert.True(after[3..].equal(before[3..]).all().item<bool>(), "clip 1 must not see clip 0");
    }

    [Fact]
    public void ThePredictorMapsLFramesOfNTokensToTheSameShapeAndStartsAsTheInterpolation()
    {
        var start = randn(2, 5, 16, generator: new Generator(1));
        var end = randn(2, 5, 16, generator: new Generator(2));
        var k = MotionPredictor.Interpolate(start, end, 8);
        Assert.Equal(new long[] { 2, 8, 5, 16 }, k.shape);
        Assert.True(k.select(1, 0).equal(start).all().item<bool>());
        Assert.True(k.select(1, 7).equal(end).all().item<bool>());
        Assert.True((k.select(1, 2) - (start + (end - start) * (2.0 / 7))).abs().max().item<float>() < 1e-6f);

        using var predictor = new MotionPredictor(embeddingWidth: 16, tokens: 5, width: 32, depth: 8, heads: 4);
        Assert.Equal(8, predictor.Depth);
        using (no_grad())
        {
            var p = predictor.Forward(k);
            Assert.Equal(k.shape, p.shape);
            Assert.True(p.equal(k).all().item<bool>(), "a fresh predictor returns the interpolation (zero out_proj)");
            foreach (var (name, w) in predictor.named_parameters().Where(q => q.name.StartsWith("out_proj"))) w.normal_(0, 0.1);
            var q = predictor.Forward(MotionPredictor.Interpolate(start, end, 12));
            Assert.Equal(new long[] { 2, 12, 5, 16 }, q.shape);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => MotionPredictor.Interpolate(start, end, 1));
        Assert.Throws<ArgumentException>(() => predictor.Forward(randn(2, 8, 4, 16)));
    }

    [Fact]
    public void ATinyMotionRunResumesBitExactlyAndItsCheckpointSamplesClips()
    {
        var config = TinyMotionRuns.Config();
        string straight = TinyRuns.TempDir("motion-straight"), resumed = TinyRuns.TempDir("motion-resumed");
        using (var t = new MotionTrainer(config, straight, CPU, TinyMotionRuns.Quiet(config))) t.Train();
        using (var t = new MotionTrainer(config, resumed, CPU, TinyMotionRuns.Quiet(config))) t.Train(stopAfter: 2);
        using (var t = new MotionTrainer(config, resumed, CPU, TinyMotionRuns.Quiet(config)))
        {
            Assert.Equal(2, t.Step);
            t.Train();
            Assert.Equal(4, t.Step);
        }
        var a = SafetensorsFile.Load(TrainingCheckpoint.Latest(straight)!);
        var b = SafetensorsFile.Load(TrainingCheckpoint.Latest(resumed)!);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var prefix in new[] { "model.encoder.", "model.predictor.", "model.clip.temporal_layers.", "ema.clip.", "ema.predictor.", "optim.predictor.", "optim.clip." })
            Assert.Contains(a.Keys, k => k.StartsWith(prefix, StringComparison.Ordinal));
        Assert.DoesNotContain(a.Keys, k => k.StartsWith("model.backbone.", StringComparison.Ordinal));
        foreach (var (key, value) in a) Assert.True(value.equal(b[key]).all().item<bool>(), $"differs after resume: {key}");
        var lossesA = new MetricsLog(new RunFolder(straight).MetricsFile).ReadAll().Select(r => (r["loss"], r["embedding_mse"])).ToList();
        var lossesB = new MetricsLog(new RunFolder(resumed).MetricsFile).ReadAll().Select(r => (r["loss"], r["embedding_mse"])).ToList();
        Assert.Equal(4, lossesA.Count);
        Assert.Equal(lossesA, lossesB);
        Assert.All(lossesA, l => Assert.True(double.IsFinite(l.Item1)));

        var run = new RunFolder(straight);
        Assert.True(File.Exists(run.SampleGrid(4)) && File.Exists(Path.ChangeExtension(run.SampleGrid(4), ".gif")));
        Assert.True(File.Exists(Path.Combine(straight, MotionTrainer.EncoderPretrainingFolder, "metrics.jsonl")));
        Assert.Equal(config, MotionConfig.Load(run.ConfigFile) with { BaseCheckpoint = config.BaseCheckpoint });

        using var pipeline = TransitionPipeline.Load(straight);
        Assert.Equal(4, pipeline.Frames);
        var start = rand(3, 16, 16) * 2 - 1;
        foreach (var mode in Enum.GetValues<KeyframeConditioning>())
        {
            var clip = pipeline.Generate(start, start.flip(2), ["a photo of a man wearing a crown"], 5, new ClipSampling { Steps = 2 }, mode, frames: 3);
            Assert.Equal(new long[] { 1, 3, 3, 16, 16 }, clip.shape);
            Assert.True(clip.abs().max().item<float>() <= 1);
        }
    }

    [Fact]
    public void KeyframePairsMoveFurtherWithTheMotionSizeAndStayInOneScene()
    {
        using var world = new DiffusionLab.Data.World.CharacterWorld(new DiffusionLab.Data.World.CharacterWorldConfig { TrainIdentities = 4, HeldOutIdentities = 1, ImageSize = 16 });
        var still = KeyframePairs.Of(world, 1, 3, 0);
        Assert.Equal(still.Start, still.End);
        double previous = -1;
        foreach (double motion in new[] { 0.25, 0.5, 1.0 })
        {
            var pair = KeyframePairs.Of(world, 1, 3, motion);
            pair.End.Validate();
            Assert.Equal((pair.Start.Background, pair.Start.Clothing, pair.Start.Headwear, pair.Start.DetailSeed), (pair.End.Background, pair.End.Clothing, pair.End.Headwear, pair.End.DetailSeed));
            double distance = Math.Abs(pair.End.Yaw - pair.Start.Yaw) + Math.Abs(pair.End.OffsetX - pair.Start.OffsetX) / 15;
            Assert.True(distance > previous, $"motion {motion}: {distance} not above {previous}");
            previous = distance;
            Assert.Equal(motion >= 0.5, pair.End.Expression != pair.Start.Expression);
            var clip = KeyframePairs.Render(world, pair, 5);
            Assert.Equal(5, clip.Count);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyframePairs.Of(world, 1, 3, 1.5));
    }

    [Fact]
    public void AClipShowsInlineAsAnAnimatedGif()
    {
        var frames = rand(6, 3, 8, 8) * 2 - 1;
        string html = DiffusionLab.Interactive.TransitionDisplay.GifHtml(frames, "a clip", scale: 2);
        Assert.Contains("<figcaption>a clip</figcaption>", html);
        string data = html.Split("data:image/gif;base64,")[1].Split('"')[0];
        using var codec = SkiaSharp.SKCodec.Create(SkiaSharp.SKData.CreateCopy(Convert.FromBase64String(data)));
        Assert.Equal(6, codec.FrameCount);
        Assert.Equal((16, 16), (codec.Info.Width, codec.Info.Height));
    }

    [Fact]
    public void TheConfigNamesItsBadKeys()
    {
        var e = Assert.Throws<DiffusionLab.Core.ConfigException>(() => TinyMotionRuns.Config("""{ "Frames": 1 }"""));
        Assert.Contains("'Frames': 1, expected 2..64", e.Message);
        e = Assert.Throws<DiffusionLab.Core.ConfigException>(() => MotionConfig.FromJson("""{ "Stage": "motion", "BaseCheckpoint": "x", "Motion": { "Framez": 8 } }""", "m.json"));
        Assert.Contains("Framez", e.Message);
        e = Assert.Throws<DiffusionLab.Core.ConfigException>(() => MotionConfig.FromJson("""{ "Stage": "motion", "BaseCheckpoint": "x", "Motion": { "Steps": 8 } }""", "m.json"));
        Assert.Contains("'Motion.Steps': belongs in section 'Training'", e.Message);
    }
}
