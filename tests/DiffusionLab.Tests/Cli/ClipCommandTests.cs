using DiffusionLab.Data.World;
using DiffusionLab.Imaging;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.StoryDiffusion;
using DiffusionLab.Tests.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace DiffusionLab.Tests.Cli;

/// <summary>`difflab clip` and `difflab story --transitions` on the tiny motion run: the files, and bad input as one line with exit 2.</summary>
public class ClipCommandTests
{
    /// <summary>Two keyframes of a held-out person at the tiny base's 16 px (and one at 32 px), written once.</summary>
    private static readonly Lazy<(string Start, string End, string Large)> Keyframes = new(() =>
    {
        string dir = TinyRuns.TempDir("clip-keyframes");
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 6, HeldOutIdentities = 2, ImageSize = 16, ImagesPerIdentity = 6 });
        var clip = world.RenderClip(6, world.Factors(6, 0), world.Factors(6, 0) with { Yaw = 0.6, OffsetX = 8 }, 2);
        string start = Path.Combine(dir, "start.png"), end = Path.Combine(dir, "end.png"), large = Path.Combine(dir, "large.png");
        File.WriteAllBytes(start, clip[0].ToPng());
        File.WriteAllBytes(end, clip[1].ToPng());
        using var big = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 6, HeldOutIdentities = 2, ImageSize = 32, ImagesPerIdentity = 6 });
        File.WriteAllBytes(large, big.Render(6, 0).ToPng());
        return (start, end, large);
    });

    private const string Prompt = "a photo of a man in a red shirt , on the beach";

    [Theory]
    [InlineData("clip.gif", null, 4)]
    [InlineData("clip.webp", "3", 3)]
    public void AClipHasLFramesOfTheModelsSize(string name, string? frames, int expected)
    {
        string output = Path.Combine(TinyRuns.TempDir("clip-out"), name);
        var args = new List<string> { "clip", Keyframes.Value.Start, Keyframes.Value.End, "--prompt", Prompt, "--run", TinyMotionRuns.Run.Value, "--out", output, "--steps", "2", "--device", "cpu" };
        if (frames is not null) args.AddRange(["--frames", frames]);
        var (code, stdout, err) = CliHarness.Difflab([.. args]);

        Assert.True(code == 0, $"exit {code}\n{err}\n{stdout}");
        Assert.Contains($"{expected} frames of 16x16", stdout);
        // SkiaSharp's decoders (GIF and libwebp): independent of the code that wrote the file.
        using var data = SKData.Create(output);
        using var codec = SKCodec.Create(data);
        Assert.Equal(expected, codec.FrameCount);
        Assert.Equal((16, 16), (codec.Info.Width, codec.Info.Height));
    }

    [Fact]
    public void EveryMethodDrawsAClipFromTheCommandLine()
    {
        foreach (var mode in new[] { "interpolated", "text-only" })
        {
            string output = Path.Combine(TinyRuns.TempDir("clip-mode"), "clip.gif");
            var (code, stdout, err) = CliHarness.Difflab("clip", Keyframes.Value.Start, Keyframes.Value.End, "--prompt", Prompt, "--run", TinyMotionRuns.Run.Value,
                "--out", output, "--steps", "2", "--mode", mode);
            Assert.True(code == 0, $"{mode}: exit {code}\n{err}\n{stdout}");
            Assert.True(File.Exists(output));
        }
    }

    [Fact]
    public void WithoutModeAClipReadsWhatItsRunWasTrainedWith()
    {
        foreach (var (run, expected) in new[] { (TinyMotionRuns.Run.Value, "Predicted keyframe embeddings"), (TinyMotionRuns.RunWithoutPredictor.Value, "Interpolated keyframe embeddings") })
        {
            string output = Path.Combine(TinyRuns.TempDir("clip-default-mode"), "clip.gif");
            var (code, stdout, err) = CliHarness.Difflab("clip", Keyframes.Value.Start, Keyframes.Value.End, "--prompt", Prompt, "--run", run, "--out", output, "--steps", "2", "--device", "cpu");
            Assert.True(code == 0, $"{run}: exit {code}\n{err}\n{stdout}");
            Assert.Contains(expected, stdout);
        }
    }

    [Fact]
    public void TrainDispatchesAMotionStageConfig()
    {
        string dir = TinyRuns.TempDir("train-motion");
        string config = Path.Combine(dir, "motion.json"), run = Path.Combine(dir, "run");
        File.WriteAllText(config, TinyMotionRuns.FileJson(TinyPhotoMakerRuns.BaseRun.Value, steps: 1));
        var (code, stdout, err) = CliHarness.Difflab("train", config, "--out", run, "--device", "cpu");
        Assert.True(code == 0, $"exit {code}\n{err}\n{stdout}");
        Assert.Contains("training the motion stage (4-frame clips, 1-layer motion predictor, backbone frozen)", stdout);
        Assert.True(DiffusionLab.StoryDiffusion.MotionCheckpoint.IsMotionCheckpoint(DiffusionLab.Runs.TrainingCheckpoint.Latest(run)!));
    }

    private static void AssertOneLineError(int code, string err, params string[] fragments)
    {
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        foreach (var f in fragments) Assert.Contains(f, err);
    }

    [Fact]
    public void KeyframesOfDifferentSizesAreOneLineAndExit2()
    {
        string output = Path.Combine(TinyRuns.TempDir("clip-bad"), "clip.gif");
        var (code, _, err) = CliHarness.Difflab("clip", Keyframes.Value.Start, Keyframes.Value.Large, "--prompt", Prompt, "--run", TinyMotionRuns.Run.Value, "--out", output, "--steps", "2");
        AssertOneLineError(code, err, "keyframes of different sizes", "16x16", "32x32");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AMissingKeyframeIsOneLineAndExit2()
    {
        string missing = Path.Combine(TinyRuns.TempDir("clip-bad"), "nope.png");
        var (code, _, err) = CliHarness.Difflab("clip", Keyframes.Value.Start, missing, "--prompt", Prompt, "--run", TinyMotionRuns.Run.Value, "--out", "x.gif");
        AssertOneLineError(code, err, missing, "not found");
    }

    [Theory]
    [InlineData("option --frames '1': expected an integer >= 2", "--frames", "1")]
    [InlineData("option --mode 'both': expected predicted, interpolated or text-only", "--mode", "both")]
    public void ABadOptionIsOneLineAndExit2(string message, params string[] extra)
    {
        var (code, _, err) = CliHarness.Difflab(["clip", "a.png", "b.png", "--prompt", Prompt, "--run", "r", "--out", "x.gif", .. extra]);
        AssertOneLineError(code, err, message);
    }

    [Fact]
    public void AnOutputThatIsNotAnAnimationIsOneLineAndExit2()
    {
        var (code, _, err) = CliHarness.Difflab("clip", Keyframes.Value.Start, Keyframes.Value.End, "--prompt", Prompt, "--run", TinyMotionRuns.Run.Value, "--out", "x.png");
        AssertOneLineError(code, err, "x.png", "expected a .gif or .webp");
    }

    [Fact]
    public void ATextToImageRunIsNotAMotionRun()
    {
        var (code, _, err) = CliHarness.Difflab("clip", Keyframes.Value.Start, Keyframes.Value.End, "--prompt", Prompt, "--run", TinyPhotoMakerRuns.BaseRun.Value, "--out", "x.gif");
        AssertOneLineError(code, err, "is a Denoiser checkpoint, not a motion one");
    }

    [Fact]
    public void AStoryWithTransitionsWritesAClipPerConsecutivePairAndAPage()
    {
        string dir = TinyRuns.TempDir("story-transitions");
        string story = Path.Combine(NotebookRuns.RepositoryRoot(), "experiments", "story-characterworld", "stories", "beach-day.story");
        string comic = Path.Combine(dir, "comic.png");
        var (code, stdout, err) = CliHarness.Difflab("story", story, "--run", TinyPhotoMakerRuns.BaseRun.Value, "--out", comic, "--steps", "2",
            "--transitions", TinyMotionRuns.Run.Value);

        Assert.True(code == 0, $"exit {code}\n{err}\n{stdout}");
        var parsed = DiffusionLab.StoryDiffusion.StoryParser.Load(story);
        var pairs = DiffusionLab.StoryDiffusion.StoryTransitions.Pairs(parsed);
        Assert.NotEmpty(pairs);
        var gifs = Directory.GetFiles(Path.Combine(dir, "comic-transitions"), "*.gif");
        Assert.Equal(pairs.Count, gifs.Length);
        foreach (var (character, from, to) in pairs)
        {
            using var gif = Image.Load<Rgb24>(Path.Combine(dir, "comic-transitions", $"{character}-{from + 1}-{to + 1}.gif"));
            Assert.Equal(4, gif.Frames.Count);
        }
        string page = File.ReadAllText(Path.Combine(dir, "comic-transitions.html"));
        Assert.Equal(pairs.Count, page.Split("data:image/gif;base64,").Length - 1);
        Assert.Contains("data:image/png;base64,", page);
        using var sheet = Image.Load<Rgb24>(Path.Combine(dir, "comic-transitions.png"));
        Assert.True(sheet.Height > sheet.Width / 6 * pairs.Count / 2);
    }

    [Fact]
    public void TransitionsOfAStoryWithoutRepeatedCharactersAreRefusedBeforeDrawing()
    {
        string dir = TinyRuns.TempDir("story-transitions-bad");
        string story = Path.Combine(dir, "one.story");
        File.WriteAllText(story, "[Ada] a photo of a woman in a red shirt\n\n[Ada] smiling , on the beach #Hi.\n");
        var (code, _, err) = CliHarness.Difflab("story", story, "--run", TinyPhotoMakerRuns.BaseRun.Value, "--out", Path.Combine(dir, "c.png"), "--steps", "2",
            "--transitions", TinyMotionRuns.Run.Value);
        AssertOneLineError(code, err, "--transitions", "no character with two or more panels");
    }
}
