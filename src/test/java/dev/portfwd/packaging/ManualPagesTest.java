package dev.portfwd.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The man page the package installs, generated as the build does it (picocli model, then
 * AsciidoctorJ to troff), documents the dashboard: its commands, nested ones included, its options
 * and its files.
 */
class ManualPagesTest {

  @Test
  void theManPageDocumentsTheDashboardsCommandsOptionsAndFiles(@TempDir Path out) throws Exception {
    ManualPages.main(new String[] {out.toString(), Path.of("packaging", "man").toString()});
    // troff escapes a '-' as '\-'; read the page as a man reader would see the words.
    String page = Files.readString(out.resolve("portfwd.8")).replace("\\-", "-");

    assertThat(page)
        .contains(".SS \"portfwd passwd\"")
        .contains("Set the password of the dashboard")
        .contains(".SS \"portfwd token\"")
        .contains(".SS \"portfwd token create\"")
        .contains(".SS \"portfwd token list\"")
        .contains(".SS \"portfwd token revoke\"")
        .contains("\\fBportfwd token create\\fP")
        .contains(".SS \"portfwd ha config\"")
        .contains("\\fB--http\\fP=\\fIADDRESS:PORT\\fP")
        .contains("\\fB--tls-cert\\fP=\\fIFILE\\fP")
        .contains("\\fB--tls-key\\fP=\\fIFILE\\fP")
        .contains("\\fB--to\\fP=\\fIID\\fP")
        .contains("(or \\*(Aqrollback --confirm\\*(Aq) that waits")
        .contains("\\fB--drain-timeout\\fP=\\fIDURATION\\fP")
        .contains("\\fB--max-connections\\fP=\\fICOUNT\\fP")
        .contains("dashboard-password")
        .contains("dashboard-tokens");
  }
}
