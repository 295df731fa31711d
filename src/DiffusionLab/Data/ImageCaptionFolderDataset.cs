using System.Text.RegularExpressions;
using DiffusionLab.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// The real-data twin of CharacterWorld: a folder of images (png, jpg, jpeg, bmp, webp), each with a
/// caption in a same-named <c>.txt</c> beside it. Each sub-folder is one identity (ids 0..S−1 in
/// ordinal order of the names of sub-folders that hold images); each image directly in the root is an identity of its
/// own (ids S.. in ordinal order of the file names). Images are centre-cropped and resized as
/// <see cref="ImageFolderDataset"/> does (ADM's center_crop_arr) and held in memory. The class word
/// is the first whole word of man, woman, boy, girl or person in the caption (case-insensitive; no
/// match → no span). There is no segmentation model offline, so the person mask is all ones
/// (the whole image counts as the person).
/// </summary>
public sealed partial class ImageCaptionFolderDataset : ICaptionedDataset, IDisposable
{
    /// <summary>The words searched for as the class word, as PhotoMaker's captions mark them (photomaker.md §2.4).</summary>
    public static IReadOnlyList<string> ClassWords { get; } = Array.AsReadOnly(["man", "woman", "boy", "girl", "person"]);

    private readonly Tensor _images;
    private readonly long[] _identities;

    private ImageCaptionFolderDataset(Tensor images, IReadOnlyList<string> files, IReadOnlyList<string> captions, long[] identities, IReadOnlyList<string> identityNames)
    {
        _images = images;
        Files = files;
        Captions = captions;
        ClassWordSpans = captions.Select(FindClassWord).ToArray();
        _identities = identities;
        IdentityNames = identityNames;
    }

    /// <summary>Images (N,3,H,W) float32 in [−1,1], in <see cref="Files"/> order.</summary>
    public Tensor Images => _images;
    public IReadOnlyList<string> Files { get; }
    public IReadOnlyList<string> Captions { get; }
    public IReadOnlyList<CaptionSpan?> ClassWordSpans { get; }
    /// <summary>Per identity: its sub-folder name, or the file name of a root image.</summary>
    public IReadOnlyList<string> IdentityNames { get; }
    public int IdentityCount => IdentityNames.Count;
    public long Count => _identities.Length;
    public int ImageSize => (int)_images.shape[2];

    public int IdentityOf(long index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"index {index}: expected 0..{Count - 1}");
        return (int)_identities[index];
    }

    public static ImageCaptionFolderDataset Load(string folder, int imageSize)
    {
        if (imageSize < 1) throw new ArgumentOutOfRangeException(nameof(imageSize), $"imageSize {imageSize}: expected >= 1");
        var groups = Groups(folder);
        var files = new List<string>();
        var captions = new List<string>();
        var identities = new List<long>();
        var tensors = new List<Tensor>();
        try
        {
            for (int id = 0; id < groups.Count; id++)
                foreach (var file in groups[id].Files)
                {
                    captions.Add(ReadCaption(file));
                    tensors.Add(ImageFolderDataset.LoadOne(file, imageSize, 3));
                    files.Add(file);
                    identities.Add(id);
                }
            return new ImageCaptionFolderDataset(torch.stack(tensors), files, captions, identities.ToArray(), groups.Select(g => g.Name).ToArray());
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    /// <summary>Every caption of a folder, in item order, without decoding the images (to build a tokenizer).</summary>
    public static IReadOnlyList<string> ReadCaptions(string folder) =>
        Groups(folder).SelectMany(g => g.Files).Select(ReadCaption).ToList();

    /// <summary>The identity groups in item order: sub-folders by name, then one group per root image.</summary>
    private static List<(string Name, string[] Files)> Groups(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"image-caption folder '{folder}': not found");
        // Hidden folders (.git, .ipynb_checkpoints) are tool droppings, not identities.
        var groups = Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .Select(d => (Name: Path.GetFileName(d), Files: ImagesIn(d)))
            .Where(g => g.Files.Length > 0)
            .ToList();
        groups.AddRange(ImagesIn(folder).Select(f => (Name: Path.GetFileName(f), Files: new[] { f })));
        if (groups.Count == 0)
            throw new InvalidDataException($"image-caption folder '{folder}': no images ({string.Join(" ", ImageFile.Extensions)}) in it or its sub-folders");
        return groups;
    }

    /// <summary>Span of the first whole-word man/woman/boy/girl/person, or null.</summary>
    public static CaptionSpan? FindClassWord(string caption)
    {
        var match = ClassWordPattern().Match(caption);
        return match.Success ? new CaptionSpan(match.Index, match.Length) : null;
    }

    /// <summary>Items as one batch; masks are all ones and there are no factor labels.</summary>
    public CaptionedBatch GetBatch(IReadOnlyList<long> indices)
    {
        foreach (long i in indices) IdentityOf(i);
        using var scope = torch.NewDisposeScope();
        var index = torch.tensor(indices.ToArray(), dtype: ScalarType.Int64);
        var images = _images.index_select(0, index).contiguous();
        var masks = torch.ones(indices.Count, 1, ImageSize, ImageSize);
        var identities = torch.tensor(indices.Select(i => _identities[i]).ToArray(), dtype: ScalarType.Int64);
        return new CaptionedBatch(images.MoveToOuterDisposeScope(), masks.MoveToOuterDisposeScope(),
            indices.Select(i => Captions[(int)i]).ToArray(), indices.Select(i => ClassWordSpans[(int)i]).ToArray(),
            identities.MoveToOuterDisposeScope(), new Dictionary<string, Tensor>());
    }

    public void Dispose() => _images.Dispose();

    private static string[] ImagesIn(string directory) => Directory.GetFiles(directory)
        .Where(f => ImageFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
        .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
        .ToArray();

    private static string ReadCaption(string imageFile)
    {
        string path = Path.ChangeExtension(imageFile, ".txt");
        if (!File.Exists(path))
            throw new FileNotFoundException($"image '{imageFile}': no caption file '{path}' (expected a same-named .txt beside each image)", path);
        string caption = string.Join(' ', File.ReadAllText(path).Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (caption.Length == 0) throw new InvalidDataException($"caption file '{path}': empty (expected the caption of '{imageFile}')");
        return caption;
    }

    [GeneratedRegex(@"\b(man|woman|boy|girl|person)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClassWordPattern();
}
