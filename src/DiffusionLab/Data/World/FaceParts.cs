namespace DiffusionLab.Data.World;

/// <summary>
/// How many eyes, noses and mouths the renderer draws: 2/1/1 normally; other counts make the
/// structure errors a structure checker must catch. Missing parts leave skin; extra ones go where
/// a generator might misplace them (a third eye on the forehead, a second nose on a cheek, a
/// second mouth on the other cheek).
/// </summary>
public sealed record FaceParts
{
    public FaceParts(int eyes = 2, int noses = 1, int mouths = 1)
    {
        if (eyes is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(eyes), $"eyes {eyes}: expected 0..3");
        if (noses is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(noses), $"noses {noses}: expected 0..2");
        if (mouths is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(mouths), $"mouths {mouths}: expected 0..2");
        Eyes = eyes;
        Noses = noses;
        Mouths = mouths;
    }

    public static FaceParts Normal { get; } = new();

    public int Eyes { get; }
    public int Noses { get; }
    public int Mouths { get; }

    public bool IsNormal => Eyes == 2 && Noses == 1 && Mouths == 1;
}
