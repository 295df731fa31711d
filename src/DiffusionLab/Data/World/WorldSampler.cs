namespace DiffusionLab.Data.World;

/// <summary>Draws identity traits and per-image factors from their keys alone.</summary>
internal static class WorldSampler
{
    public static IdentityTraits Traits(long worldSeed, int identity)
    {
        var rng = WorldRandom.For(worldSeed, identity, 0, WorldStream.Traits);
        var classWord = (ClassWord)rng.Next(4);
        bool child = classWord is ClassWord.Boy or ClassWord.Girl;
        // Children: rounder faces (Round, Oval, Heart); adults: any shape.
        var faceShape = (FaceShape)rng.Weighted(child ? [3, 2, 0.5, 0.3, 2] : [1, 1, 1, 1, 1]);
        var skin = (SkinTone)rng.Next(8);
        //                                   Bald Short Spiky Curly Bob Long Ponytail Bun
        ReadOnlySpan<double> hairWeights = classWord switch
        {
            ClassWord.Man => [1.2, 3.0, 1.5, 1.5, 0.3, 0.6, 0.4, 0.3],
            ClassWord.Woman => [0.1, 0.8, 0.2, 1.5, 2.0, 3.0, 2.0, 1.5],
            ClassWord.Boy => [0.2, 3.0, 2.0, 1.5, 0.5, 0.3, 0.1, 0.1],
            _ => [0.0, 0.4, 0.1, 1.2, 2.0, 2.5, 2.5, 1.2],
        };
        var hairStyle = (HairStyle)rng.Weighted(hairWeights);
        //                                             Black DkBrown Brown Auburn Ginger Blonde Gray Blue
        var hairColor = (HairColor)rng.Weighted(child ? [2.0, 2.0, 2.0, 1.0, 1.0, 1.5, 0.0, 0.4] : [2.0, 2.0, 2.0, 1.0, 1.0, 1.5, 0.8, 0.4]);
        var eyeColor = (EyeColor)rng.Next(6);
        double eyeSpacing = rng.Uniform(0.85, 1.2), eyeSize = rng.Uniform(0.85, 1.15);
        var nose = (NoseShape)rng.Next(4);
        var mouth = (MouthShape)rng.Next(4);
        //                                        None Glasses Freckles Mole Scar Beard Moustache Earrings Rosy
        ReadOnlySpan<double> markWeights = classWord switch
        {
            ClassWord.Man => [1.5, 1.0, 0.7, 0.7, 0.7, 1.2, 1.0, 0.3, 0.2],
            ClassWord.Woman => [1.5, 1.0, 0.8, 0.7, 0.3, 0.0, 0.0, 1.2, 0.8],
            ClassWord.Boy => [1.5, 1.0, 1.0, 0.5, 0.5, 0.0, 0.0, 0.1, 0.8],
            _ => [1.5, 0.9, 1.0, 0.5, 0.2, 0.0, 0.0, 0.9, 1.0],
        };
        var mark = (DistinctiveMark)rng.Weighted(markWeights);
        double faceWidth = rng.Uniform(0.92, 1.08);
        bool markOnLeft = rng.Next(2) == 0;
        return new IdentityTraits(classWord, faceShape, skin, hairStyle, hairColor, eyeColor, eyeSpacing, eyeSize, nose, mouth, mark, faceWidth, markOnLeft);
    }

    public static ImageFactors Factors(long worldSeed, int identity, int imageIndex)
    {
        var rng = WorldRandom.For(worldSeed, identity, imageIndex, WorldStream.Factors);
        var expression = (Expression)rng.Next(5);
        // About a third of the images wear nothing on the head, so "no headwear" is common enough to learn.
        var headwear = rng.NextDouble() < 0.35 ? Headwear.None : (Headwear)(1 + rng.Next(7));
        var clothing = (ClothingColor)rng.Next(8);
        var background = (BackgroundScene)rng.Next(6);
        return new ImageFactors
        {
            Expression = expression,
            Headwear = headwear,
            Clothing = clothing,
            Background = background,
            Yaw = rng.Uniform(-0.7, 0.7),
            Roll = rng.Uniform(-12, 12),
            Scale = rng.Uniform(0.85, 1.1),
            OffsetX = rng.Uniform(-8, 8),
            OffsetY = rng.Uniform(-4, 5),
            DetailSeed = (int)(rng.NextUInt64() >> 33),
            CaptionVariant = rng.Next(CaptionGrammar.VariantCount),
        };
    }
}
