using DiffusionLab.Cli;
using DiffusionLab.Imaging;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Cli;

/// <summary>`difflab train` on a PhotoMaker config, `difflab personalize` and `difflab world refs`, over tiny 16×16 runs.</summary>
public class PhotoMakerCommandTests
{
    private static void AssertOneLineError((int Code, string Out, string Err) result, params string[] fragments)
    {
        Assert.True(result.Code == 2, $"exit {result.Code}\n{result.Err}\n{result.Out}");
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.StartsWith("difflab: ", result.Err);
        foreach (var f in fragments) Assert.Contains(f, result.Err);
    }

    /// <summary>A config file beside a temp folder, its BaseCheckpoint relative to the file (outside a repository).</summary>
    private static string WriteConfig(string dir, int steps)
    {
        string file = Path.Combine(dir, "pm.json");
        File.WriteAllText(file, TinyPhotoMakerRuns.ConfigFileJson(Path.GetRelativePath(dir, TinyPhotoMakerRuns.BaseRun.Value), steps));
        return file;
    }

    /// <summary>Cancels the token when training reports the given step: a deterministic Ctrl-C.</summary>
    private sealed class StopAtStep(string marker, CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(marker, StringComparison.Ordinal) == true) stop.Cancel();
        }
    }

    [Fact]
    public void TrainDispatchesAPhotoMakerConfigResumesAndStopsWithACheckpoint()
    {
        string dir = TinyRuns.TempDir("pmcli-train");
        string config = WriteConfig(dir, steps: 2), run = Path.Combine(dir, "run");

        var (code, stdout, stderr) = CliHarness.Difflab("train", config, "--out", run, "--device", "cpu");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("training PhotoMaker (Stacked ID embedding", stdout);
        Assert.Contains("done: ", stdout);
        var folder = new RunFolder(run);
        var written = PhotoMakerConfig.Load(folder.ConfigFile);
        Assert.Equal(Path.GetFullPath(TinyPhotoMakerRuns.BaseRun.Value), written.BaseCheckpoint);
        Assert.Contains("\"Stage\": \"photomaker\"", File.ReadAllText(folder.ConfigFile));
        Assert.True(File.Exists(folder.TokenizerFile) && File.Exists(folder.SampleGrid(2)));
        Assert.Equal(2, PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(run)!).Step);

        // The same command with more steps resumes the run.
        (code, stdout, stderr) = CliHarness.Difflab("train", config, "--out", run, "--set", "Training.Steps=3");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("resumed", stdout);
        Assert.Contains("(step 3;", stdout);
        Assert.Equal(3, new MetricsLog(folder.MetricsFile).ReadAll().Count);

        // Ctrl-C after step 1: a checkpoint, exit 130; the same command then finishes the run.
        string stopped = Path.Combine(dir, "stopped");
        using var stop = new CancellationTokenSource();
        var output = new StopAtStep("step 1/", stop);
        code = CommandRunner.Run(["train", config, "--out", stopped, "--set", "Training.CheckpointEvery=5"], output, new StringWriter(), stop.Token);
        Assert.Equal(130, code);
        Assert.Contains("stopped at step 1; checkpoint written", output.ToString());
        Assert.EndsWith(TrainingCheckpoint.FileName(1), TrainingCheckpoint.Latest(stopped));
        (code, stdout, stderr) = CliHarness.Difflab("train", config, "--out", stopped, "--set", "Training.CheckpointEvery=5");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("resumed", stdout);
        Assert.EndsWith(TrainingCheckpoint.FileName(2), TrainingCheckpoint.Latest(stopped));
    }

    [Fact]
    public void BadPhotoMakerConfigsAreOneLineNamingTheKey()
    {
        string dir = TinyRuns.TempDir("pmcli-bad");
        string config = WriteConfig(dir, steps: 1), run = Path.Combine(dir, "run");
        AssertOneLineError(CliHarness.Difflab("train", config, "--out", run, "--set", "Stpes=2"), "unknown key 'Stpes'");
        AssertOneLineError(CliHarness.Difflab("train", config, "--out", run, "--set", "LoraRank=0"), "'LoraRank'");
        AssertOneLineError(CliHarness.Difflab("train", config, "--out", run, "--set", $"BaseCheckpoint={Path.Combine(dir, "nowhere")}"), "key 'BaseCheckpoint'", "does not exist");
        AssertOneLineError(CliHarness.Difflab("train", config, "--out", run, "--set", $"BaseCheckpoint={TinyPhotoMakerRuns.Run.Value}"), "key 'BaseCheckpoint'", "a PhotoMaker stage's run, not a denoiser's");
        string empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
        AssertOneLineError(CliHarness.Difflab("train", config, "--out", run, "--set", $"BaseCheckpoint={empty}"), "key 'BaseCheckpoint'", "no checkpoint");

        string other = Path.Combine(dir, "other.json");
        File.WriteAllText(other, """{ "Stage": "textual-inversion" }""");
        AssertOneLineError(CliHarness.Difflab("train", other), "key 'Stage'", "textual-inversion");
        File.WriteAllText(other, """{ "Stage": "dreambooth" }""");
        AssertOneLineError(CliHarness.Difflab("train", other), "DreamBooth");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void WorldRefsThenPersonalizeWritesAGridAndMixesIdentities()
    {
        string dir = TinyRuns.TempDir("pmcli-personalize");
        string refs = Path.Combine(dir, "refs"), other = Path.Combine(dir, "other");
        var (code, stdout, stderr) = CliHarness.Difflab("world", "refs", "--identity", "0", "--held-out", "--count", "2", "--size", "16", "--out", refs);
        Assert.True(code == 0, stderr);
        Assert.Contains("held out", stdout);
        Assert.Contains("try: difflab personalize", stdout);
        var files = Directory.GetFiles(refs, "*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([Path.Combine(refs, "id2000-00.png"), Path.Combine(refs, "id2000-01.png")], files);
        (code, _, stderr) = CliHarness.Difflab("world", "refs", "--identity", "7", "--first", "3", "--count", "1", "--degrade", "lowres", "--size", "16", "--out", other);
        Assert.True(code == 0, stderr);
        string otherFile = Assert.Single(Directory.GetFiles(other, "*.png"));
        Assert.EndsWith("id7-03.png", otherFile);

        string grid = Path.Combine(dir, "grid.png");
        (code, stdout, stderr) = CliHarness.Difflab("personalize", "--run", TinyPhotoMakerRuns.Run.Value, "--refs", files[0], files[1],
            "--prompt", "a photo of a man img wearing a crown , on the beach", "--seeds", "0,1", "--steps", "2", "--out", grid);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("2 generations of", stdout);
        using (var image = ImageFile.Read(grid))
        {
            // One row per seed: 2 references + the generation, 16 px tiles, 2 px padding.
            Assert.Equal(3 * 16 + 4 * 2, image.Width);
            Assert.Equal(2 * 16 + 3 * 2, image.Height);
        }

        // Identity mixing: references of two people, a coefficient per reference; the default output goes into the run.
        (code, stdout, stderr) = CliHarness.Difflab("personalize", "--run", TinyPhotoMakerRuns.Run.Value, "--refs", files[0], files[1], otherFile,
            "--weights", "1,1,0.5", "--prompt", "a woman img , smiling", "--seeds", "3", "--steps", "2", "--style-strength", "0", "--guidance", "2");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("weights 1,1,0.5", stdout);
        Assert.True(File.Exists(Path.Combine(TinyPhotoMakerRuns.Run.Value, "samples", "personalize-seed3.png")));
    }

    [Theory]
    [InlineData("no trigger word 'img'", "--run", "{run}", "--refs", "{ref}", "--prompt", "a photo of a man wearing a crown")]
    [InlineData("more than one trigger word 'img'", "--run", "{run}", "--refs", "{ref}", "--prompt", "a man img and a woman img")]
    [InlineData("unknown word(s) 'zebra'", "--run", "{run}", "--refs", "{ref}", "--prompt", "a photo of a man img on a zebra")]
    [InlineData("'--refs' is required", "--run", "{run}", "--prompt", "a man img")]
    [InlineData("unreadable", "--run", "{run}", "--refs", "{bad}", "--prompt", "a man img")]
    [InlineData("corrupt JPEG data", "--run", "{run}", "--refs", "{ref}", "{corrupt}", "--prompt", "a man img")]
    [InlineData("truncated", "--run", "{run}", "--refs", "{cut}", "{ref}", "--prompt", "a man img")]
    [InlineData("not found", "--run", "{run}", "--refs", "{ref}", "missing.png", "--prompt", "a man img")]
    [InlineData("not a PhotoMaker one", "--run", "{base}", "--refs", "{ref}", "--prompt", "a man img")]
    [InlineData("--weights", "--run", "{run}", "--refs", "{ref}", "{ref}", "--weights", "1", "--prompt", "a man img")]
    [InlineData("--run", "--refs", "{ref}", "--prompt", "a man img")]
    [InlineData("--seeds", "--run", "{run}", "--refs", "{ref}", "--prompt", "a man img", "--seeds", "0,x")]
    [InlineData("--steps 1", "--run", "{run}", "--refs", "{ref}", "--prompt", "a man img", "--steps", "1")]
    public void PersonalizeBadInputIsOneLineAndExit2(string fragment, params string[] args)
    {
        string dir = TinyRuns.TempDir("pmcli-errors");
        string reference = Path.Combine(dir, "ref.png"), bad = Path.Combine(dir, "bad.png");
        using (var world = new DiffusionLab.Data.World.CharacterWorld(new() { ImageSize = 16 }))
            File.WriteAllBytes(reference, world.Render(0, 0).ToPng());
        File.WriteAllText(bad, "not an image");
        string corrupt = Path.Combine(dir, "corrupt.jpg"), cut = Path.Combine(dir, "cut.png");
        File.WriteAllBytes(corrupt, Imaging.ImageFileTests.CorruptJpeg());
        File.WriteAllBytes(cut, File.ReadAllBytes(reference)[..^20]);
        var argv = args.Select(a => a.Replace("{run}", TinyPhotoMakerRuns.Run.Value).Replace("{base}", TinyPhotoMakerRuns.BaseRun.Value)
            .Replace("{ref}", reference).Replace("{bad}", bad).Replace("{corrupt}", corrupt).Replace("{cut}", cut)).Prepend("personalize").ToArray();
        var (code, stdout, stderr) = CliHarness.Difflab(argv);
        AssertOneLineError((code, stdout, stderr), fragment);
        // The bad file is named, wherever it is in the list.
        foreach (var named in new[] { bad, corrupt, cut }.Where(f => argv.Contains(f))) Assert.Contains($"'{named}'", stderr);
    }

    [Theory]
    [InlineData("--identity", "world", "refs", "--out", "x")]
    [InlineData("--out", "world", "refs", "--identity", "1")]
    [InlineData("held-out split has 200", "world", "refs", "--identity", "200", "--held-out", "--out", "x")]
    [InlineData("--degrade 'fog'", "world", "refs", "--identity", "1", "--degrade", "fog", "--out", "x")]
    [InlineData("--count", "world", "refs", "--identity", "1", "--count", "0", "--out", "x")]
    [InlineData("--identity '-1'", "world", "refs", "--identity", "-1", "--out", "x")]
    public void BadWorldRefsOptionsAreOneLineAndExit2(string fragment, params string[] args) =>
        AssertOneLineError(CliHarness.Difflab(args), fragment);
}
