using MtaSts;

var policy = MtaStsPolicy.Parse("""
    version: STSv1
    mode: enforce
    mx: mail.example.com
    mx: *.example.net
    max_age: 604800
    """);

Console.WriteLine(policy.Mode);                          // Enforce
Console.WriteLine(policy.MatchesMx("MX1.example.net.")); // True: one label under *.example.net
Console.WriteLine(policy.MatchesMx("a.b.example.net"));  // False: a wildcard stands for one label only

if (MtaStsRecord.TryParseRecordSet(["v=spf1 -all", "v=STSv1; id=20160831085700Z;"], out var record))
{
    Console.WriteLine(record.Id);                        // 20160831085700Z
}
