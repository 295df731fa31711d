namespace DiffusionLab.Data.World;

/// <summary>
/// Everything that makes one CharacterWorld identity look like itself, drawn once from
/// (world seed, identity id) and identical in all of its images. None of it is named in captions
/// except the class word: an identity is recognised by its looks, as PhotoMaker's ID groups are.
/// </summary>
/// <param name="ClassWord">The noun every caption of the identity uses.</param>
/// <param name="FaceShape">Head outline.</param>
/// <param name="SkinTone">Skin colour.</param>
/// <param name="HairStyle">Haircut.</param>
/// <param name="HairColor">Hair, eyebrow and beard colour.</param>
/// <param name="EyeColor">Iris colour.</param>
/// <param name="EyeSpacing">Distance between the eyes relative to the average, 0.85–1.2.</param>
/// <param name="EyeSize">Eye size relative to the average, 0.85–1.15.</param>
/// <param name="NoseShape">Nose drawing.</param>
/// <param name="MouthShape">Mouth width and lip thickness.</param>
/// <param name="Mark">The distinctive feature.</param>
/// <param name="FaceWidth">Head width relative to its shape's average, 0.92–1.08.</param>
/// <param name="MarkOnLeft">Side of an asymmetric mark (mole, scar) and the part of the hair.</param>
public sealed record IdentityTraits(
    ClassWord ClassWord,
    FaceShape FaceShape,
    SkinTone SkinTone,
    HairStyle HairStyle,
    HairColor HairColor,
    EyeColor EyeColor,
    double EyeSpacing,
    double EyeSize,
    NoseShape NoseShape,
    MouthShape MouthShape,
    DistinctiveMark Mark,
    double FaceWidth,
    bool MarkOnLeft)
{
    public bool IsChild => ClassWord is ClassWord.Boy or ClassWord.Girl;

    public bool IsFemale => ClassWord is ClassWord.Woman or ClassWord.Girl;
}
