using System.CommandLine;
using System.Diagnostics;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab story STORY.txt --run RUN --out COMIC.png`: a story file to a comic with consistent characters
/// (StoryDiffusion's consistent self-attention on a text-to-image run), written as one PNG per page.
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
        var device = DeviceOption.Create();
        var command = new Command("story", "A story file to a comic with consistent characters (StoryDiffusion's consistent self-attention on a text-to-image run)")
            { storyFile, run, output, seed, rate, refs, steps, guidance, layout, noCsa, saveBanks, banks, device };
        command.SetAction(parse => Run(parse.GetRequiredValue(storyFile), parse.GetRequiredValue(run), parse.GetRequiredValue(output),
            new StoryRenderOptions { Seed = parse.GetValue(seed), ReferencePanels = parse.GetValue(refs), Consistent = !parse.GetValue(noCsa) },
            parse.GetValue(rate), parse.GetValue(steps), parse.GetValue(guidance), parse.GetValue(layout) == "four-panel" ? ComicLayoutKind.FourPanel : ComicLayoutKind.Classic,
            parse.GetValue(saveBanks), parse.GetValue(banks), DeviceOption.Parse(parse.GetValue(device)), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <param name="saveBanks">Where to write the characters' banks; null: nowhere.</param>
    /// <param name="loadBanks">Where to read characters' banks from; null: every character's reference panels are drawn.</param>
    public static int Run(string storyPath, string run, string output, StoryRenderOptions options, double rate, int steps, double guidance, ComicLayoutKind layout,
        string? saveBanks, string? loadBanks, Device device, TextWriter stdout)
    {
        var loaded = TrainedModel.Load(run, [], raw: false);
        var story = StoryParser.Load(storyPath);
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
        return 0;
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
}
