using DiffusionLab.Data.World;
using DiffusionLab.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab world preview`: a grid of CharacterWorld images, one identity per row, its images
/// 0..M−1 across; with --masks each image is followed by its person mask (white on black).
/// `difflab world refs`: one person's images as PNG files, references to try `difflab personalize` with.
/// </summary>
public static class WorldCommand
{
    public const string PreviewUsage = "difflab world preview --identities N --images M --out FILE.png [--size 64] [--seed S] [--held-out] [--masks] [--scale K]";
    public const string RefsUsage = "difflab world refs --identity ID --out DIR [--count 4] [--first I] [--held-out] [--degrade blur|lowres|noise] [--size 64] [--seed S]";

    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "held-out", "masks" });
        return args.Positional is ["preview"] ? Preview(args, stdout)
            : args.Positional is ["refs"] ? Refs(args, stdout)
            : throw new UsageException($"world: expected `{PreviewUsage}` or `{RefsUsage}`");
    }

    private static int Preview(Arguments args, TextWriter stdout)
    {
        int identities = args.Int("identities", 8), images = args.Int("images", 8), size = args.Int("size", 64), scale = args.Int("scale", 1);
        long seed = args.Long("seed", 0);
        bool heldOut = args.Flag("held-out"), masks = args.Flag("masks");
        string output = args.Option("out") ?? throw new UsageException("world preview: --out FILE.png is required");
        args.RejectUnknown();
        if (images > 256) throw new UsageException($"option --images {images}: expected at most 256");

        var config = new CharacterWorldConfig { WorldSeed = seed, ImageSize = size };
        using var world = new CharacterWorld(config);
        var split = heldOut ? WorldSplit.HeldOut : WorldSplit.Train;
        var ids = world.Identities(split);
        if (identities > ids.Count)
            throw new UsageException($"option --identities {identities}: the {(heldOut ? "held-out" : "train")} split has {ids.Count} identities");

        var tiles = new List<Tensor>();
        try
        {
            foreach (int id in ids.Take(identities))
                for (int i = 0; i < images; i++)
                {
                    var image = world.Render(id, i);
                    tiles.Add(image.ToTensor());
                    // A 0/1 mask as a white-on-black RGB tile.
                    if (masks) using (var m = image.MaskTensor()) tiles.Add(m.mul(2).sub(1).expand(3, size, size).contiguous());
                }
            using var batch = torch.stack(tiles);
            ImageGrid.Save(batch, masks ? 2 * images : images, output, scale: scale);
        }
        finally
        {
            foreach (var t in tiles) t.Dispose();
        }
        stdout.WriteLine($"wrote {identities} {(heldOut ? "held-out" : "train")} identities x {images} images ({size} px{(masks ? ", with masks" : "")}, world seed {seed}) to {output}");
        return 0;
    }

    /// <summary>
    /// Images first..first+count−1 of one person of the standard world (the text-to-image configs': 2,000 train and 200
    /// held-out identities; --seed picks another world), written as DIR/idID-INDEX.png, optionally degraded.
    /// </summary>
    private static int Refs(Arguments args, TextWriter stdout)
    {
        string? identityText = args.Option("identity");
        int count = args.Int("count", 4), size = args.Int("size", 64);
        string? first = args.Option("first");
        long seed = args.Long("seed", 0);
        bool heldOut = args.Flag("held-out");
        string? degrade = args.Option("degrade");
        string output = args.Option("out") ?? throw new UsageException($"world refs: --out DIR is required (`{RefsUsage}`)");
        args.RejectUnknown();
        if (identityText is null) throw new UsageException($"world refs: --identity ID is required (`{RefsUsage}`)");
        if (!int.TryParse(identityText, out int identity) || identity < 0)
            throw new UsageException($"option --identity '{identityText}': expected an identity id >= 0");
        if (!int.TryParse(first ?? "0", out int firstImage) || firstImage < 0)
            throw new UsageException($"option --first '{first}': expected an image index >= 0");
        if (count > 64) throw new UsageException($"option --count {count}: expected at most 64");
        var degradation = degrade is null ? null
            : ImageDegradation.PresetNames.Contains(degrade) ? ImageDegradation.Preset(degrade)
            : throw new UsageException($"option --degrade '{degrade}': expected one of {string.Join(", ", ImageDegradation.PresetNames)}");

        var config = new CharacterWorldConfig { WorldSeed = seed, ImageSize = size };
        using var world = new CharacterWorld(config);
        if (heldOut && identity >= config.HeldOutIdentities)
            throw new UsageException($"option --identity {identity}: the held-out split has {config.HeldOutIdentities} identities (0..{config.HeldOutIdentities - 1} with --held-out)");
        int id = heldOut ? world.Identities(WorldSplit.HeldOut)[identity] : identity;
        if (id >= world.IdentityCount)
            throw new UsageException($"option --identity {identity}: expected 0..{world.IdentityCount - 1} ({config.TrainIdentities} train, then {config.HeldOutIdentities} held-out; or --held-out with 0..{config.HeldOutIdentities - 1})");

        Directory.CreateDirectory(output);
        var files = new List<string>();
        for (int index = firstImage; index < firstImage + count; index++)
        {
            var image = world.Render(id, index);
            if (degradation is not null) image = world.Degrade(image, degradation);
            string file = Path.Combine(output, $"id{id}-{index:D2}.png");
            IO.AtomicFile.WriteAllBytes(file, image.ToPng());
            files.Add(file);
            stdout.WriteLine($"{file}: {image.Caption}");
        }
        string classWord = WorldWords.Of(world.Traits(id).ClassWord);
        stdout.WriteLine($"wrote {count} images of identity {id} ({(world.IsHeldOut(id) ? "held out: never in a training batch" : "a training identity")}, class word '{classWord}'" +
                         $"{(degrade is null ? "" : $", degraded: {degrade}")}, {size} px, world seed {seed}) to {output}");
        stdout.WriteLine($"try: difflab personalize --run PM_RUN --refs {string.Join(" ", files)} --prompt \"a photo of a {classWord} img wearing a crown , on the beach\"");
        return 0;
    }
}
