using System.Diagnostics;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab story STORY.txt --run RUN --out COMIC.png`: a story file to a comic with consistent characters
/// (StoryDiffusion's consistent self-attention on a text-to-image run), written as one PNG per page.
/// </summary>
public static class StoryCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "no-csa" });
        string storyPath = args.Positional1("STORY.txt");
        string run = args.Option("run") ?? throw new UsageException("story: expected --run RUN (a text-to-image run folder or checkpoint)");
        string output = args.Option("out") ?? throw new UsageException("story: expected --out COMIC.png");
        var device = DeviceOption.Parse(args.Option("device"));
        var options = new StoryRenderOptions { Seed = args.Long("seed", 0), ReferencePanels = args.Int("refs", 2), Consistent = !args.Flag("no-csa") };
        double rate = args.Double("rate", 0.5, 0, 1);
        int steps = args.Int("steps", 50);
        double guidance = args.Double("guidance", 5.0, 0, 100);
        var layout = args.Option("layout") switch
        {
            null or "classic" => ComicLayoutKind.Classic,
            "four-panel" => ComicLayoutKind.FourPanel,
            var other => throw new UsageException($"option --layout '{other}': expected classic or four-panel"),
        };
        string? saveBanks = args.Option("save-banks");
        string? loadBanks = args.Option("banks");
        var loaded = TrainedModel.Load(run, [], raw: false);
        args.RejectUnknown();

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
