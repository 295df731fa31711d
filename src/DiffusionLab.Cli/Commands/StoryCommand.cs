using System.CommandLine;
using System.Diagnostics;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab story STORY.txt --run RUN --out COMIC.png`: a story file to a comic with consistent characters
/// (StoryDiffusion's consistent self-attention on a text-to-image run), written as one PNG per page. With
/// `--transitions MOTION_RUN` also StoryDiffusion's second stage: a transition clip between every two consecutive panels
/// of each character (<see cref="StoryTransitions"/>), as COMIC-transitions/NAME-I-J.gif, a page COMIC-transitions.html
/// (keyframes with the clips between them) and a sheet COMIC-transitions.png (a row per transition).
/// </summary>
public static class StoryCommand
{
    public static Command Definition()
    {
        var storyFile = new Argument<string>("STORY.txt") { Description = "the story: characters, then panels (prompt and caption)" };
        var run = new Option<string>("--run") { HelpName = "RUN", Description = "a text-to-image run folder or checkpoint, or a shipped one (zoo:NAME)", Required = true };
        var output = new Option<string>("--out") { HelpName = "COMIC.png", Description = "the comic (several pages: COMIC-1.png, COMIC-2.png, ...)", Required = true };
        var seed = CliOptions.Long("--seed", "S", "the seed of the panels' noise and of consistent attention's sampling", 0);
        var rate = CliOptions.Number("--rate", "R", "consistent self-attention's sampling rate (the share of the other images' tokens each image attends to)", 0.5, 0, 1);
        var refs = CliOptions.Int("--refs", "K", "reference panels per character, generated together", 2);
        var steps = CliOptions.Int("--steps", "N", "DDIM steps", 50);
        var guidance = CliOptions.Number("--guidance", "G", "the classifier-free guidance scale", 5.0, 0, 100);
        var layout = CliOptions.Choice("--layout", "the comic's page layout", ["classic", "four-panel"], "classic");
        var noCsa = new Option<bool>("--no-csa") { Description = "without consistent self-attention (the baseline)" };
        var saveBanks = new Option<string>("--save-banks") { HelpName = "DIR", Description = "write each character's bank (its reference panels' cached tokens) as DIR/NAME.safetensors" };
        var banks = new Option<string>("--banks") { HelpName = "DIR", Description = "read the characters' banks written by --save-banks instead of drawing their reference panels" };
        var transitions = new Option<string>("--transitions")
            { HelpName = "MOTION_RUN", Description = "also a transition clip between every two consecutive panels of each character, drawn by this motion run (GIFs, an HTML page and a PNG sheet beside the comic)" };
        var device = DeviceOption.Create();
        var command = new Command("story", "A story file to a comic with consistent characters (StoryDiffusion's consistent self-attention on a text-to-image run), optionally with transition clips")
            { storyFile, run, output, seed, rate, refs, steps, guidance, layout, noCsa, saveBanks, banks, transitions, device };
        command.SetAction(parse => Run(parse.GetRequiredValue(storyFile), parse.GetRequiredValue(run), parse.GetRequiredValue(output),
            new StoryRenderOptions { Seed = parse.GetValue(seed), ReferencePanels = parse.GetValue(refs), Consistent = !parse.GetValue(noCsa) },
            parse.GetValue(rate), parse.GetValue(steps), parse.GetValue(guidance), parse.GetValue(layout) == "four-panel" ? ComicLayoutKind.FourPanel : ComicLayoutKind.Classic,
            parse.GetValue(saveBanks), parse.GetValue(banks), DeviceOption.Parse(parse.GetValue(device)), parse.InvocationConfiguration.Output, parse.GetValue(transitions)));
        return command;
    }

    /// <param name="saveBanks">Where to write the characters' banks; null: nowhere.</param>
    /// <param name="loadBanks">Where to read characters' banks from; null: every character's reference panels are drawn.</param>
    /// <param name="motionRun">The motion run that draws the transitions; null: no transitions.</param>
    public static int Run(string storyPath, string run, string output, StoryRenderOptions options, double rate, int steps, double guidance, ComicLayoutKind layout,
        string? saveBanks, string? loadBanks, Device device, TextWriter stdout, string? motionRun = null)
    {
        var loaded = TrainedModel.Load(run, [], raw: false);
        var story = StoryParser.Load(storyPath);
        if (motionRun is not null && StoryTransitions.Pairs(story).Count == 0)
            throw new UsageException($"option --transitions: story '{storyPath}' has no character with two or more panels, so there is nothing to join");
        // Loaded before the story is drawn, so a wrong run fails in seconds, not after the panels.
        using var motion = motionRun is null ? null : TransitionPipeline.Load(motionRun, device);
        loaded.Model.to(device);
        var pipeline = StoryPipeline.FromRun(loaded, steps, guidance, new ConsistentAttentionConfig { SamplingRate = rate, Seed = options.Seed });
        var given = loadBanks is null ? new Dictionary<string, CharacterBank>() : LoadBanks(loadBanks, story, device);

        var clock = Stopwatch.StartNew();
        using var generation = pipeline.Generate(story, options, given);
        double seconds = clock.Elapsed.TotalSeconds;
        var comic = StoryComic.Render(story, generation.PanelList, new StoryComicOptions { Layout = layout, Seed = (int)options.Seed });
        var pages = SavePages(comic.Pngs, output);
        if (saveBanks is not null)
        {
            Directory.CreateDirectory(saveBanks);
            foreach (var (name, bank) in generation.Banks) bank.Save(Path.Combine(saveBanks, name + ".safetensors"));
        }
        foreach (var bank in given.Values) bank.Dispose();
        stdout.WriteLine($"{story.Panels.Count} panels ({(options.Consistent ? $"consistent self-attention, rate {rate}, {options.ReferencePanels} reference panels per character" : "no consistent self-attention")}; DDIM {steps}, guidance {guidance}) in {seconds:F1} s");
        foreach (var page in pages) stdout.WriteLine($"wrote {page}");
        if (motion is not null) WriteTransitions(motion, story, generation.Panels, output, steps, options.Seed, stdout);
        return 0;
    }

    /// <summary>The transitions beside the comic: COMIC-transitions/NAME-I-J.gif, COMIC-transitions.html and COMIC-transitions.png.</summary>
    private static void WriteTransitions(TransitionPipeline motion, Story story, TorchSharp.torch.Tensor panels, string output, int steps, long seed, TextWriter stdout)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(output))!, stem = Path.GetFileNameWithoutExtension(output) + "-transitions";
        string clipsDir = Path.Combine(dir, stem);
        Directory.CreateDirectory(clipsDir);
        var clock = Stopwatch.StartNew();
        var clips = StoryTransitions.Generate(motion, story, panels, motion.Model.Config.Sampling with { Steps = steps }, seed,
            progress: new Lines(stdout));
        try
        {
            foreach (var clip in clips) Imaging.AnimatedImageFile.Save(clip.Frames, Path.Combine(clipsDir, clip.Name + ".gif"), new Imaging.AnimationSettings { FrameDelay = TimeSpan.FromMilliseconds(120) });
            IO.AtomicFile.WriteAllText(Path.Combine(dir, stem + ".html"), Interactive.TransitionDisplay.StoryPage(story, panels, clips));
            IO.AtomicFile.WriteAllBytes(Path.Combine(dir, stem + ".png"), StoryTransitions.SheetPng(panels, clips));
            stdout.WriteLine($"{clips.Count} transitions of {motion.Frames} frames (motion run {motion.CheckpointPath}; DDIM {steps}, guidance {motion.Model.Config.Sampling.GuidanceScale}) in {clock.Elapsed.TotalSeconds:F1} s");
            stdout.WriteLine($"wrote {Path.Combine(dir, stem + ".html")}, {Path.Combine(dir, stem + ".png")} and {clips.Count} clips in {clipsDir}");
        }
        finally
        {
            foreach (var clip in clips) clip.Dispose();
        }
    }

    /// <summary>COMIC.png for one page; COMIC-1.png, COMIC-2.png … for several.</summary>
    private static IReadOnlyList<string> SavePages(IReadOnlyList<byte[]> pngs, string output)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(dir);
        var paths = pngs.Count == 1 ? [output]
            : pngs.Select((_, i) => Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(output)}-{i + 1}{Path.GetExtension(output)}")).ToList();
        for (int i = 0; i < pngs.Count; i++) IO.AtomicFile.WriteAllBytes(paths[i], pngs[i]);
        return paths;
    }

    /// <summary>Character files NAME.safetensors (written by --save-banks) for the story's characters that have one.</summary>
    private static Dictionary<string, CharacterBank> LoadBanks(string folder, Story story, TorchSharp.torch.Device device)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--banks '{folder}': not found");
        var banks = new Dictionary<string, CharacterBank>();
        foreach (var character in story.Characters)
        {
            string path = Path.Combine(folder, character.Name + ".safetensors");
            if (File.Exists(path)) banks[character.Name] = CharacterBank.Load(path, device);
        }
        if (banks.Count == 0) throw new FileNotFoundException($"--banks '{folder}': no character file NAME.safetensors for any of {string.Join(", ", story.Characters.Select(c => c.Name))}");
        return banks;
    }

    /// <summary>Progress messages as lines, on the caller's thread (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    private sealed class Lines(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
