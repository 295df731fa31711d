using DiffusionLab.Data.World;
using DiffusionLab.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab world preview`: a grid of CharacterWorld images, one identity per row, its images
/// 0..M−1 across; with --masks each image is followed by its person mask (white on black).
/// </summary>
public static class WorldCommand
{
    public const string PreviewUsage = "difflab world preview --identities N --images M --out FILE.png [--size 64] [--seed S] [--held-out] [--masks] [--scale K]";

    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "held-out", "masks" });
        if (args.Positional.Count != 1 || args.Positional[0] != "preview")
            throw new UsageException($"world: expected `{PreviewUsage}`");
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
}
