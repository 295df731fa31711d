using DiffusionLab.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Data.World;

/// <summary>
/// One rendered CharacterWorld image with everything known about it. Pixels are H·W·3 RGB bytes,
/// row-major; Mask is H·W bytes, 255 where the person is (head, hair, headwear, neck, torso) and 0
/// elsewhere. (Array fields compare by reference in record equality; compare them with SequenceEqual.)
/// </summary>
/// <param name="Identity">The identity id.</param>
/// <param name="ImageIndex">The per-identity image index, or null for a render from explicit factors.</param>
/// <param name="Traits">The identity's traits.</param>
/// <param name="Factors">The image's factors (in a clip: pose interpolated, expression of the nearer keyframe).</param>
/// <param name="Face">The continuous expression parameters actually drawn (between keyframes in a clip).</param>
/// <param name="Parts">How many eyes, noses and mouths were drawn.</param>
/// <param name="Caption">The caption; it names every named factor.</param>
/// <param name="ClassWordSpan">Where the class word sits in the caption.</param>
/// <param name="Size">Side in pixels.</param>
/// <param name="Pixels">H·W·3 RGB bytes.</param>
/// <param name="Mask">H·W bytes, 255 on the person.</param>
public sealed record CharacterImage(
    int Identity,
    int? ImageIndex,
    IdentityTraits Traits,
    ImageFactors Factors,
    ExpressionParameters Face,
    FaceParts Parts,
    string Caption,
    CaptionSpan ClassWordSpan,
    int Size,
    byte[] Pixels,
    byte[] Mask)
{
    public ClassWord ClassWord => Traits.ClassWord;

    /// <summary>Fraction of the image covered by the person mask.</summary>
    public double MaskFraction
    {
        get
        {
            int on = 0;
            foreach (byte m in Mask) if (m != 0) on++;
            return (double)on / Mask.Length;
        }
    }

    /// <summary>The image as (3,H,W) float32 in [−1,1] (the LabeledImages convention).</summary>
    public Tensor ToTensor()
    {
        using var scope = torch.NewDisposeScope();
        return torch.tensor(Pixels, [Size, Size, 3]).permute(2, 0, 1).to(ScalarType.Float32).div(127.5).sub(1.0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The mask as (1,H,W) float32, 1 on the person and 0 elsewhere.</summary>
    public Tensor MaskTensor()
    {
        using var scope = torch.NewDisposeScope();
        return torch.tensor(Mask, [1, Size, Size]).ne(0).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Images of one size as a batch (N,3,H,W) float32 in [−1,1], e.g. a person's reference images.</summary>
    public static Tensor Stack(IEnumerable<CharacterImage> images)
    {
        var list = images.ToList();
        if (list.Count == 0) throw new ArgumentException("images: expected at least one");
        if (list.Any(i => i.Size != list[0].Size)) throw new ArgumentException($"images: sizes differ ({string.Join(", ", list.Select(i => i.Size).Distinct())})");
        using var scope = torch.NewDisposeScope();
        return torch.stack(list.Select(i => i.ToTensor()).ToArray()).MoveToOuterDisposeScope();
    }

    public byte[] ToPng()
    {
        using var image = ToTensor();
        return TensorImages.ToPng(image);
    }
}
