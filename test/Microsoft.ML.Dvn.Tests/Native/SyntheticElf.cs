using System.Text;

namespace Microsoft.ML.Dvn.Tests.Native;

/// <summary>
/// A minimal ELF64 little-endian x86-64 shared library with only what symbol versioning needs: .dynstr, .dynsym,
/// .gnu.version, .gnu.version_r and .shstrtab (readelf -V reads it like a real library). Written independently of the
/// reader under test, from the ELF specification's layouts.
/// </summary>
internal static class SyntheticElf
{
    /// <summary>A dynamic symbol; <paramref name="Version"/> null means unversioned (global).</summary>
    public sealed record Symbol(string Name, string? Version, bool Undefined = true);

    /// <summary>The file, and where the vna_flags of every needed version lie, by version name.</summary>
    public sealed record Library(byte[] Bytes, IReadOnlyDictionary<string, int> FlagsOffsets);

    /// <summary>
    /// A library like TorchSharp 0.107's: GLIBCXX_3.4.32 is asked of libstdc++ for the marker alone (plus
    /// <paramref name="extra"/> symbols), with <paramref name="codeBytes"/> bytes of code to give it a size.
    /// </summary>
    public static Library LikeTorchSharp0107(Symbol[]? extra = null, int codeBytes = 0) => Build(
        new Dictionary<string, string[]>
        {
            ["libc.so.6"] = new[] { "GLIBC_2.2.5" },
            ["libstdc++.so.6"] = new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.32", "CXXABI_1.3" },
        },
        new[]
        {
            new Symbol("malloc", "GLIBC_2.2.5"),
            new Symbol("_ZNSt8ios_base4InitC1Ev", "GLIBCXX_3.4"),
            new Symbol("_ZSt21ios_base_library_initv", "GLIBCXX_3.4.32"),
            new Symbol("__cxa_throw", "CXXABI_1.3"),
            new Symbol("THSTensor_add", null, Undefined: false),
        }.Concat(extra ?? Array.Empty<Symbol>()).ToArray(),
        codeBytes);

    public static Library Build(IReadOnlyDictionary<string, string[]> needed, IReadOnlyList<Symbol> symbols, int codeBytes = 0)
    {
        var dynstr = new StringTable();
        var versionIndex = new Dictionary<string, ushort>();
        ushort next = 2; // 0 local, 1 global
        foreach (var version in needed.Values.SelectMany(v => v))
            versionIndex[version] = next++;

        var dynsym = new MemoryStream();
        var versym = new MemoryStream();
        Write(dynsym, new byte[24]); // symbol 0 is the null symbol
        Write(versym, (ushort)0);
        foreach (var symbol in symbols)
        {
            Write(dynsym, dynstr.Add(symbol.Name));
            dynsym.WriteByte(0x12); // STB_GLOBAL, STT_FUNC
            dynsym.WriteByte(0);
            Write(dynsym, (ushort)(symbol.Undefined ? 0 : 9)); // st_shndx: 0 undefined, else some section
            Write(dynsym, 0L);
            Write(dynsym, 0L);
            Write(versym, symbol.Version is null ? (ushort)1 : versionIndex[symbol.Version]);
        }

        var verneed = new MemoryStream();
        var flagsWithinVerneed = new Dictionary<string, int>();
        int file = 0;
        foreach (var (library, versions) in needed)
        {
            Write(verneed, (ushort)1);
            Write(verneed, (ushort)versions.Length);
            Write(verneed, dynstr.Add(library));
            Write(verneed, 16u);
            Write(verneed, ++file == needed.Count ? 0u : (uint)(16 + 16 * versions.Length));
            for (int v = 0; v < versions.Length; v++)
            {
                Write(verneed, ElfHash(versions[v]));
                flagsWithinVerneed[versions[v]] = (int)verneed.Length;
                Write(verneed, (ushort)0);
                Write(verneed, versionIndex[versions[v]]);
                Write(verneed, dynstr.Add(versions[v]));
                Write(verneed, v == versions.Length - 1 ? 0u : 16u);
            }
        }

        var shstrtab = new StringTable();
        var sections = new (string Name, uint Type, byte[] Bytes, uint Link, uint Info, long EntrySize, long Align)[]
        {
            (".dynstr", 3, dynstr.Bytes, 0, 0, 0, 1),
            (".dynsym", 11, dynsym.ToArray(), 1, 1, 24, 8), // links count from 1: section 0 is the null section
            (".gnu.version", 0x6fffffff, versym.ToArray(), 2, 0, 2, 2),
            (".gnu.version_r", 0x6ffffffe, verneed.ToArray(), 1, (uint)needed.Count, 0, 8),
            (".text", 1, new byte[codeBytes], 0, 0, 0, 16),
            (".shstrtab", 3, Array.Empty<byte>(), 0, 0, 0, 1),
        };
        var names = sections.Select(s => shstrtab.Add(s.Name)).ToArray();
        sections[^1].Bytes = shstrtab.Bytes;

        var output = new MemoryStream();
        output.Write(new byte[64]);
        var offsets = new long[sections.Length];
        for (int s = 0; s < sections.Length; s++)
        {
            Pad(output, sections[s].Align);
            offsets[s] = output.Length;
            output.Write(sections[s].Bytes);
        }
        Pad(output, 8);
        long sectionTable = output.Length;
        output.Write(new byte[64]); // section 0 is the null section
        for (int s = 0; s < sections.Length; s++)
        {
            var (_, type, bytes, link, info, entrySize, align) = sections[s];
            Write(output, names[s]);
            Write(output, type);
            Write(output, 2L); // SHF_ALLOC
            Write(output, offsets[s]);
            Write(output, offsets[s]);
            Write(output, (long)bytes.Length);
            Write(output, link);
            Write(output, info);
            Write(output, align);
            Write(output, entrySize);
        }

        var elf = output.ToArray();
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }.CopyTo(elf, 0);
        BitConverter.GetBytes((ushort)3).CopyTo(elf, 0x10);   // ET_DYN
        BitConverter.GetBytes((ushort)62).CopyTo(elf, 0x12);  // EM_X86_64
        BitConverter.GetBytes(1u).CopyTo(elf, 0x14);
        BitConverter.GetBytes(sectionTable).CopyTo(elf, 0x28);
        BitConverter.GetBytes((ushort)64).CopyTo(elf, 0x34);
        BitConverter.GetBytes((ushort)64).CopyTo(elf, 0x3A);
        BitConverter.GetBytes((ushort)(sections.Length + 1)).CopyTo(elf, 0x3C);
        BitConverter.GetBytes((ushort)sections.Length).CopyTo(elf, 0x3E);
        long verneedOffset = offsets[3];
        return new Library(elf, flagsWithinVerneed.ToDictionary(f => f.Key, f => (int)(verneedOffset + f.Value)));
    }

    private static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0)
                h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private static void Pad(MemoryStream stream, long align)
    {
        while (stream.Length % align != 0)
            stream.WriteByte(0);
    }

    private static void Write(MemoryStream stream, byte[] bytes) => stream.Write(bytes);
    private static void Write(MemoryStream stream, ushort value) => stream.Write(BitConverter.GetBytes(value));
    private static void Write(MemoryStream stream, uint value) => stream.Write(BitConverter.GetBytes(value));
    private static void Write(MemoryStream stream, long value) => stream.Write(BitConverter.GetBytes(value));

    private sealed class StringTable
    {
        private readonly MemoryStream _bytes = new();
        private readonly Dictionary<string, uint> _offsets = new();

        public StringTable() => _bytes.WriteByte(0); // offset 0 is the empty name

        public byte[] Bytes => _bytes.ToArray();

        public uint Add(string text)
        {
            if (_offsets.TryGetValue(text, out uint known))
                return known;
            uint offset = (uint)_bytes.Length;
            _bytes.Write(Encoding.ASCII.GetBytes(text + "\0"));
            return _offsets[text] = offset;
        }
    }
}
