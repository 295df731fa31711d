using System.CommandLine;
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
    public static Command Definition() => CommandGroup.Create("world", "Look at CharacterWorld, the synthetic people the text-to-image and PhotoMaker studies train on",
        PreviewDefinition(), RefsDefinition());

    private static Option<int> SizeOption() => CliOptions.Int("--size", "PIXELS", "the side of the images", 64);

    private static Option<long> SeedOption() => CliOptions.Long("--seed", "S", "the world's seed (0: the standard world the configs use)", 0);

    private static Option<bool> HeldOutOption(string description) => new("--held-out") { Description = description };

    private static Command PreviewDefinition()
    {
        var identities = CliOptions.Int("--identities", "N", "identities, one per row", 8);
        var images = CliOptions.Int("--images", "M", "images of each identity, across", 8, max: 256);
        var output = new Option<string>("--out") { HelpName = "FILE.png", Description = "the grid", Required = true };
        var size = SizeOption();
        var seed = SeedOption();
        var heldOut = HeldOutOption("the held-out identities instead of the training ones");
        var masks = new Option<bool>("--masks") { Description = "each image followed by its person mask (white on black)" };
        var scale = CliOptions.Int("--scale", "K", "upscale the grid K times (nearest neighbour)", 1);
        var command = new Command("preview", "A grid of CharacterWorld images, one identity per row, its images 0..M-1 across")
            { identities, images, output, size, seed, heldOut, masks, scale };
        command.SetAction(parse => Preview(parse.GetValue(identities), parse.GetValue(images), parse.GetRequiredValue(output), parse.GetValue(size), parse.GetValue(seed),
            parse.GetValue(heldOut), parse.GetValue(masks), parse.GetValue(scale), parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command RefsDefinition()
    {
        var identity = CliOptions.RequiredInt("--identity", "ID", "the person: 0.. (train identities, then held-out ones), or with --held-out the index among the held-out people", min: 0);
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "the folder of the PNG files (DIR/idID-INDEX.png)", Required = true };
        var count = CliOptions.Int("--count", "N", "images", 4, max: 64);
        var first = CliOptions.Int("--first", "I", "the index of the first image", 0, min: 0);
        var heldOut = HeldOutOption("ID counts among the held-out people (never in a training batch)");
        var degrade = CliOptions.Choice("--degrade", "degrade the images like a phone photo (default: none)", ImageDegradation.PresetNames);
        var size = SizeOption();
        var seed = SeedOption();
        var command = new Command("refs", "One person's images as PNG files: references to try `difflab personalize` with")
            { identity, output, count, first, heldOut, degrade, size, seed };
        command.SetAction(parse => Refs(parse.GetValue(identity), parse.GetRequiredValue(output), parse.GetValue(count), parse.GetValue(first), parse.GetValue(heldOut),
            parse.GetValue(degrade), parse.GetValue(size), parse.GetValue(seed), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Preview(int identities, int images, string output, int size, long seed, bool heldOut, bool masks, int scale, TextWriter stdout)
    {
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
    /// <param name="degrade">A degradation preset's name; null: none.</param>
    public static int Refs(int identity, string output, int count, int firstImage, bool heldOut, string? degrade, int size, long seed, TextWriter stdout)
    {
        var degradation = degrade is null ? null : ImageDegradation.Preset(degrade);

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
